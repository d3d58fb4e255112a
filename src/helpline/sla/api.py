"""SLA over REST (/api/v1/sla/...): policies, calendars, alerts and a ticket's clocks."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from helpline.core.problems import ServiceError
from helpline.sla import selectors
from helpline.sla.choices import AlertKind
from helpline.sla.clock import add_business_minutes
from helpline.sla.models import BusinessCalendar, SlaAlert, SlaPolicy
from helpline.sla.policies import calendar_by_id
from helpline.sla.schemas import AlertOut, CalendarOut, DueOut, PolicyOut, TicketSlaOut

router = Router(tags=["sla"])


def _ref(obj) -> dict | None:
    return {"id": obj.pk, "name": obj.name} if obj else None


def _hhmm(value: dt.time | None) -> str | None:
    return None if value is None else value.strftime("%H:%M")


def policy_out(policy: SlaPolicy) -> dict:
    return {
        "id": policy.pk,
        "name": policy.name,
        "description": policy.description,
        "position": policy.position,
        "is_active": policy.is_active,
        "is_default": policy.is_default,
        "calendar": _ref(policy.calendar),
        "organization": _ref(policy.organization),
        "category": _ref(policy.category),
        "ticket_type": policy.ticket_type,
        "vip_only": policy.vip_only,
        "warning_thresholds": policy.warning_thresholds,
        "breach_action": policy.breach_action,
        "targets": [
            {
                "priority": t.priority,
                "first_response_minutes": t.first_response_minutes,
                "next_response_minutes": t.next_response_minutes,
                "resolution_minutes": t.resolution_minutes,
            }
            for t in policy.targets.all()
        ],
    }


def calendar_out(calendar: BusinessCalendar) -> dict:
    return {
        "id": calendar.pk,
        "name": calendar.name,
        "time_zone": calendar.time_zone,
        "is_24x7": calendar.is_24x7,
        "country": calendar.country,
        "subdivision": calendar.subdivision,
        "hours": [
            {"weekday": h.weekday, "start": _hhmm(h.start_time), "end": _hhmm(h.end_time)}
            for h in calendar.hours.all()
        ],
        "dates": [
            {
                "date": d.date,
                "kind": d.kind,
                "name": d.name,
                "start": _hhmm(d.start_time),
                "end": _hhmm(d.end_time),
            }
            for d in calendar.dates.all()
        ],
    }


def alert_out(alert: SlaAlert) -> dict:
    return {
        "id": alert.pk,
        "ticket_id": alert.ticket_id,
        "metric": alert.metric,
        "kind": alert.kind,
        "threshold": alert.threshold,
        "due_at": alert.due_at,
        "action": alert.action,
        "recipient_ids": alert.recipient_ids,
        "created_at": alert.created_at,
    }


@router.get("/sla/policies", response=list[PolicyOut], summary="SLA policies, in matching order")
def list_policies(request: HttpRequest):
    return [policy_out(p) for p in selectors.policies_for(request.user)]


@router.get("/sla/policies/{policy_id}", response=PolicyOut, summary="One SLA policy")
def get_policy(request: HttpRequest, policy_id: int):
    return policy_out(selectors.get_policy(request.user, policy_id))


@router.get("/sla/calendars", response=list[CalendarOut], summary="Business calendars")
def list_calendars(request: HttpRequest):
    return [calendar_out(c) for c in selectors.calendars_for(request.user)]


@router.get("/sla/calendars/{calendar_id}", response=CalendarOut, summary="One calendar")
def get_calendar(request: HttpRequest, calendar_id: int):
    return calendar_out(selectors.get_calendar(request.user, calendar_id))


@router.get(
    "/sla/calendars/{calendar_id}/due",
    response=DueOut,
    summary="When a number of business minutes from a start ends on this calendar",
)
def calendar_due(
    request: HttpRequest, calendar_id: int, minutes: int, start: dt.datetime | None = None
):
    selectors.get_calendar(request.user, calendar_id)
    if not 0 <= minutes <= 525_600:
        raise ServiceError(
            "minutes must be between 0 and 525600.",
            code="invalid-minutes",
            status=422,
            errors=[{"field": "minutes", "message": "out of range"}],
        )
    start = start or timezone.now()
    if timezone.is_naive(start):
        raise ServiceError(
            "start needs a time zone offset, e.g. 2025-03-14T17:00:00+03:00.",
            code="naive-datetime",
            status=422,
            errors=[{"field": "start", "message": "needs a time zone offset"}],
        )
    calendar = calendar_by_id(calendar_id)
    return {
        "calendar_id": calendar_id,
        "start": start,
        "minutes": minutes,
        "due_at": add_business_minutes(start, minutes, calendar),
    }


@router.get("/sla/alerts", response=list[AlertOut], summary="Latest SLA warnings and breaches")
def list_alerts(
    request: HttpRequest, kind: AlertKind | None = None, ticket: int | None = None, limit: int = 50
):
    alerts = selectors.alerts_for(request.user, kind=kind or "", ticket_id=ticket)
    return [alert_out(a) for a in alerts[: max(1, min(limit, 200))]]


@router.get("/sla/tickets/{ticket_id}", response=TicketSlaOut, summary="A ticket's SLA clocks")
def ticket_sla(request: HttpRequest, ticket_id: int):
    state = selectors.ticket_sla_state(request.user, ticket_id)
    state["alerts"] = [alert_out(a) for a in state["alerts"]]
    return state
