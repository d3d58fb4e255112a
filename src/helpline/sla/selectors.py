"""Read queries for SLA configuration and ticket clocks, with authorisation built in."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from helpline.accounts.models import User
from helpline.core.problems import Forbidden, NotFound
from helpline.sla.choices import Metric
from helpline.sla.models import (
    BusinessCalendar,
    CalendarDate,
    SlaAlert,
    SlaPolicy,
    TicketSla,
    WorkingHours,
)
from helpline.sla.policies import current_config
from helpline.sla.services import clock_state, sync_ticket_sla
from helpline.tickets.selectors import get_ticket


def _require_agent(actor: User) -> None:
    if not actor.is_agent:
        raise Forbidden("Only agents may see SLA configuration.")


def policies_for(actor: User) -> QuerySet[SlaPolicy]:
    _require_agent(actor)
    return SlaPolicy.objects.select_related(
        "calendar", "organization", "category"
    ).prefetch_related("targets")


def get_policy(actor: User, policy_id: int) -> SlaPolicy:
    policy = policies_for(actor).filter(pk=policy_id).first()
    if policy is None:
        raise NotFound("No such SLA policy.")
    return policy


def calendars_for(actor: User) -> QuerySet[BusinessCalendar]:
    _require_agent(actor)
    return BusinessCalendar.objects.prefetch_related(
        Prefetch("hours", queryset=WorkingHours.objects.order_by("weekday", "start_time")),
        Prefetch("dates", queryset=CalendarDate.objects.order_by("date")),
    )


def get_calendar(actor: User, calendar_id: int) -> BusinessCalendar:
    calendar = calendars_for(actor).filter(pk=calendar_id).first()
    if calendar is None:
        raise NotFound("No such business calendar.")
    return calendar


def alerts_for(actor: User, *, kind: str = "", ticket_id: int | None = None) -> QuerySet[SlaAlert]:
    _require_agent(actor)
    alerts = SlaAlert.objects.order_by("-created_at", "-id")
    if kind:
        alerts = alerts.filter(kind=kind)
    if ticket_id is not None:
        alerts = alerts.filter(ticket_id=ticket_id)
    return alerts


def ticket_sla_state(actor: User, ticket_id: int) -> dict[str, Any]:
    """A ticket's SLA as its viewer may see it; requesters get the clocks but no alerts."""
    ticket = get_ticket(actor, ticket_id)
    state = TicketSla.objects.filter(ticket_id=ticket.pk).first()
    if state is None:  # e.g. created before the sla app: show what it would be
        state = sync_ticket_sla(ticket.pk, created=True, dry_run=True)
    if state is None:
        raise NotFound("No SLA policy applies to this ticket.")
    calendar = current_config().calendar(state.calendar_id)
    now = timezone.now()
    alerts = (
        list(SlaAlert.objects.filter(ticket_id=ticket.pk).order_by("created_at", "id"))
        if actor.is_agent
        else []
    )
    return {
        "ticket_id": ticket.pk,
        "policy": {"id": state.policy_id, "name": state.policy_name},
        "calendar_id": state.calendar_id,
        "priority": state.priority,
        "started_at": state.started_at,
        "paused": state.paused_at is not None,
        "paused_at": state.paused_at,
        "paused_minutes": round(state.paused_minutes),
        "stopped_at": state.stopped_at,
        "clocks": [clock_state(state, metric, calendar, now) for metric in Metric.values],
        "alerts": alerts,
    }
