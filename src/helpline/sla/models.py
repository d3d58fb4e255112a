"""SLA configuration (calendars, policies, targets) and each ticket's clocks and alerts."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import holidays
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helpline.sla.choices import AlertKind, BreachAction, DateKind, Metric, Weekday
from helpline.tickets.choices import Priority, TicketType


def default_thresholds() -> list[int]:
    return [75, 90]


class BusinessCalendar(models.Model):
    """When the clock runs: weekly working hours in a time zone, holidays, extra working days."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Europe/Moscow")
    is_24x7 = models.BooleanField(_("open 24/7"), default=False)
    country = models.CharField(
        _("public holidays of country"),
        max_length=10,
        blank=True,
        help_text=_("Country code for the holidays package, e.g. RU, DE, US; empty for none."),
    )
    subdivision = models.CharField(_("region"), max_length=10, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        try:
            zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
            raise ValidationError({"time_zone": _("Unknown time zone.")}) from exc
        if self.country:
            try:
                holidays.country_holidays(self.country, subdiv=self.subdivision or None)
            except NotImplementedError as exc:
                raise ValidationError({"country": _("Unknown country or region code.")}) from exc


def _minute(value: dt.time) -> int:
    return value.hour * 60 + value.minute


class WorkingHours(models.Model):
    """One working interval of a weekday; several per day are allowed (e.g. a lunch break)."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="hours")
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"), help_text=_("00:00 means midnight at the day's end."))

    class Meta:
        ordering = ["calendar_id", "weekday", "start_time"]
        verbose_name = _("working hours")
        verbose_name_plural = _("working hours")

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}-{self.end_time:%H:%M}"

    def interval(self) -> tuple[int, int]:
        end = _minute(self.end_time) or 1440
        return _minute(self.start_time), end

    def clean(self) -> None:
        start, end = self.interval()
        if start >= end:
            raise ValidationError(_("The interval must end after it starts."))


class CalendarDate(models.Model):
    """A custom day: an extra holiday, or an extra working day such as a moved Saturday."""

    calendar = models.ForeignKey(BusinessCalendar, on_delete=models.CASCADE, related_name="dates")
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=20, choices=DateKind.choices)
    name = models.CharField(_("name"), max_length=120, blank=True)
    start_time = models.TimeField(_("from"), null=True, blank=True)
    end_time = models.TimeField(
        _("until"),
        null=True,
        blank=True,
        help_text=_("For a working day; empty means the calendar's usual weekday hours."),
    )

    class Meta:
        ordering = ["calendar_id", "date"]
        verbose_name = _("calendar date")
        verbose_name_plural = _("calendar dates")
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="sla_unique_calendar_date")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()}"

    def clean(self) -> None:
        if (self.start_time is None) != (self.end_time is None):
            raise ValidationError(_("Give both times or neither."))
        if (
            self.start_time is not None
            and self.end_time is not None
            and _minute(self.start_time) >= (_minute(self.end_time) or 1440)
        ):
            raise ValidationError(_("The interval must end after it starts."))


class SlaPolicy(models.Model):
    """Targets for the tickets its conditions select; the first matching policy wins.

    Empty conditions match everything. The default policy applies when no other matches.
    """

    name = models.CharField(_("name"), max_length=120, unique=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveIntegerField(_("position"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    is_default = models.BooleanField(_("default policy"), default=False)
    calendar = models.ForeignKey(
        BusinessCalendar, on_delete=models.PROTECT, related_name="policies"
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("organization"),
    )
    category = models.ForeignKey(
        "tickets.Category",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("category (and its subcategories)"),
    )
    ticket_type = models.CharField(
        _("ticket type"), max_length=20, choices=TicketType.choices, blank=True
    )
    vip_only = models.BooleanField(_("VIP organizations only"), default=False)
    warning_thresholds = models.JSONField(
        _("warning thresholds (%)"), default=default_thresholds, blank=True
    )
    breach_action = models.CharField(
        _("on breach"), max_length=20, choices=BreachAction.choices, default=BreachAction.RECORD
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="sla_one_default_policy",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        thresholds = self.warning_thresholds
        if not isinstance(thresholds, list) or not all(
            isinstance(p, int) and not isinstance(p, bool) and 0 < p < 100 for p in thresholds
        ):
            raise ValidationError(
                {"warning_thresholds": _("A list of whole percentages between 1 and 99.")}
            )


class SlaTarget(models.Model):
    """One priority's targets under a policy, in business minutes; empty means no target."""

    policy = models.ForeignKey(SlaPolicy, on_delete=models.CASCADE, related_name="targets")
    priority = models.CharField(_("priority"), max_length=2, choices=Priority.choices)
    first_response_minutes = models.PositiveIntegerField(
        _("first response (minutes)"), null=True, blank=True
    )
    next_response_minutes = models.PositiveIntegerField(
        _("next response (minutes)"), null=True, blank=True
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution (minutes)"), null=True, blank=True
    )

    class Meta:
        ordering = ["policy_id", "priority"]
        verbose_name = _("SLA target")
        verbose_name_plural = _("SLA targets")
        constraints = [
            models.UniqueConstraint(fields=["policy", "priority"], name="sla_unique_target")
        ]

    def __str__(self) -> str:
        return f"{self.policy} {self.priority}"


class TicketSla(models.Model):
    """One ticket's SLA clocks: the policy applied, targets, due dates, pauses."""

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="sla", primary_key=True
    )
    # No database constraint: clocks are written from an in-process configuration snapshot
    # that may be a few seconds behind a deleted policy; policy_name keeps what applied.
    policy = models.ForeignKey(
        SlaPolicy,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    policy_name = models.CharField(max_length=120, blank=True)
    calendar = models.ForeignKey(
        BusinessCalendar,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
    )
    priority = models.CharField(max_length=2, choices=Priority.choices)
    started_at = models.DateTimeField()
    first_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    next_response_minutes = models.PositiveIntegerField(null=True, blank=True)
    resolution_minutes = models.PositiveIntegerField(null=True, blank=True)
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    first_responded_at = models.DateTimeField(null=True, blank=True)
    next_response_started_at = models.DateTimeField(null=True, blank=True)
    next_response_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_minutes = models.FloatField(default=0, help_text="Business minutes spent paused")
    stopped_at = models.DateTimeField(null=True, blank=True)
    next_check_at = models.DateTimeField(null=True, blank=True, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("ticket SLA")
        verbose_name_plural = _("ticket SLAs")

    def __str__(self) -> str:
        return f"SLA of #{self.ticket_id}"

    @property
    def is_paused(self) -> bool:
        return self.paused_at is not None


class SlaAlert(models.Model):
    """A warning or a breach, recorded once per ticket, metric, threshold and due date.

    This row is the hook for notifications: helpline.sla.events announces each new one.
    """

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    metric = models.CharField(max_length=20, choices=Metric.choices)
    kind = models.CharField(max_length=10, choices=AlertKind.choices)
    threshold = models.PositiveSmallIntegerField(help_text="Percent of the target; 100 = breach")
    due_at = models.DateTimeField()
    recipient_ids = models.JSONField(default=list, blank=True)
    action = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("SLA alert")
        verbose_name_plural = _("SLA alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "metric", "kind", "threshold", "due_at"],
                name="sla_unique_alert",
            )
        ]
        indexes = [models.Index(fields=["kind", "-created_at"], name="sla_alert_kind_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.metric} {self.threshold}% on #{self.ticket_id}"
