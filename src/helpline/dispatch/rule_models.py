"""Automation rules (triggers on create/update, and automations on a timer)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RuleTrigger(models.TextChoices):
    CREATED = "created", _("When a ticket is created")
    UPDATED = "updated", _("When a ticket changes")
    TIMER = "timer", _("On a timer (every few minutes)")


class Rule(models.Model):
    """An ordered if-this-then-that rule: conditions on the ticket, actions through services."""

    name = models.CharField(_("name"), max_length=200)
    trigger = models.CharField(_("trigger"), max_length=10, choices=RuleTrigger.choices)
    position = models.PositiveIntegerField(_("order"), default=100)
    match = models.CharField(
        _("match"),
        max_length=3,
        choices=[("all", _("all conditions")), ("any", _("any condition"))],
        default="all",
    )
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    actions = models.JSONField(_("actions"), default=list)
    stop_processing = models.BooleanField(_("stop after this rule"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    last_error = models.TextField(_("last error"), blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    fired_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["trigger", "position", "id"]
        verbose_name = _("rule")
        verbose_name_plural = _("rules")

    def __str__(self) -> str:
        return self.name


class RuleFiring(models.Model):
    """That a rule acted on a ticket, once per ticket state (for timers and loop safety)."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="firings")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    state_key = models.CharField(max_length=64)
    fired_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "ticket", "state_key"], name="unique_rule_firing"
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} on #{self.ticket_id}"


class Macro(models.Model):
    """A canned response: a reply (or note) plus field changes, applied in one click."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    body = models.TextField(
        _("text"), blank=True, help_text=_("{number}, {subject} and {requester} are filled in")
    )
    as_note = models.BooleanField(_("post as an internal note"), default=False)
    actions = models.JSONField(_("field changes"), default=list, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    usage_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name = _("macro")
        verbose_name_plural = _("macros")

    def __str__(self) -> str:
        return self.name
