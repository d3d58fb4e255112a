"""SLA workflows: apply a policy to a ticket, pause and resume its clocks, warn and breach.

Ticket changes reach `on_ticket_change` after commit (subscribed in SlaConfig.ready).
Due dates go back to the ticket through `tickets.services.set_sla_targets`, warnings and
breaches through `tickets.services.record_sla_event`, so the history has them all with
source "sla". `scan_sla` is the periodic job (`helpline jobs run sla-scan`).
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from helpline.accounts.choices import Role, Tier
from helpline.accounts.models import User
from helpline.sla import events as sla_events
from helpline.sla.choices import AlertKind, BreachAction, Metric
from helpline.sla.clock import Calendar, add_business_minutes, business_minutes_between
from helpline.sla.models import BusinessCalendar, SlaAlert, SlaPolicy, SlaTarget, TicketSla
from helpline.sla.policies import (
    PolicyRule,
    SlaConfig,
    TicketFacts,
    current_config,
    forget_config,
)
from helpline.tickets import services as ticket_services
from helpline.tickets.choices import Priority, Status
from helpline.tickets.events import TicketChange
from helpline.tickets.models import Ticket

logger = logging.getLogger(__name__)

SOURCE = "sla"
# The clock stops while the ticket waits on the requester; a solved ticket is paused too,
# so that a reopened one goes on from where it stood. Closed is final.
PAUSING_STATUSES = frozenset({Status.PENDING, Status.SOLVED})
RECOMPUTE_FIELDS = frozenset({"priority", "category", "type", "organization"})
SCAN_BATCH = 500
_TICKET_FIELDS = (
    "status",
    "priority",
    "type",
    "tier",
    "category_id",
    "organization_id",
    "organization__is_vip",
    "requester_id",
    "assignee_id",
    "created_at",
    "first_responded_at",
    "first_response_due_at",
    "due_at",
)
_NEXT_PRIORITY = {Priority.P4: Priority.P3, Priority.P3: Priority.P2, Priority.P2: Priority.P1}
_NEXT_TIER = {Tier.L1: Tier.L2, Tier.L2: Tier.L3}


@dataclass(frozen=True)
class Checkpoint:
    """A moment a clock reaches a warning threshold or its target."""

    at: dt.datetime
    metric: str
    kind: str
    threshold: int
    due_at: dt.datetime


# --- the subscriber ------------------------------------------------------------------


def on_ticket_change(change: TicketChange) -> None:
    """Keep the ticket's SLA in step with a committed ticket change."""
    if change.extra.get("source") == SOURCE:
        return  # our own escalations and due dates
    if change.kind == "created":
        sync_ticket_sla(change.ticket_id, created=True)
    elif change.kind == "updated":
        fields = set(change.fields)
        if fields & (RECOMPUTE_FIELDS | {"status"}):
            sync_ticket_sla(change.ticket_id, recompute=bool(fields & RECOMPUTE_FIELDS))
    elif change.kind == "message_added":
        # A note may change the status too (e.g. to pending); only replies move responses.
        is_reply = change.extra.get("kind", "reply") == "reply"
        sync_ticket_sla(change.ticket_id, replied_by=change.actor_id if is_reply else None)
    elif change.kind == "merged" and change.extra.get("source_id"):
        sync_ticket_sla(change.extra["source_id"])


# --- computing -----------------------------------------------------------------------


def _load_ticket(ticket_id: int) -> Ticket | None:
    return (
        Ticket.objects.select_related("organization")
        .only(*_TICKET_FIELDS)
        .filter(pk=ticket_id)
        .first()
    )


def facts_of(ticket: Ticket) -> TicketFacts:
    return TicketFacts(
        priority=ticket.priority,
        ticket_type=ticket.type,
        category_id=ticket.category_id,
        organization_id=ticket.organization_id,
        is_vip=bool(ticket.organization_id and ticket.organization.is_vip),
    )


def _rule_by_id(config: SlaConfig, policy_id: int | None) -> PolicyRule | None:
    rules = [*config.policies, *([config.default] if config.default else [])]
    return next((rule for rule in rules if rule.id == policy_id), None)


def _apply_rule(state: TicketSla, rule: PolicyRule, priority: str) -> None:
    targets = rule.targets_for(priority)
    state.policy_id, state.policy_name = rule.id, rule.name
    state.calendar_id, state.priority = rule.calendar_id, priority
    state.first_response_minutes = targets.first_response
    state.next_response_minutes = targets.next_response
    state.resolution_minutes = targets.resolution
    if state.next_response_due_at is not None and state.next_response_started_at is not None:
        state.next_response_due_at = None  # recomputed below with the new target


def _add(start: dt.datetime, minutes: float, calendar: Calendar) -> dt.datetime:
    return add_business_minutes(start, max(0.0, minutes), calendar)


def due_dates(state: TicketSla, calendar: Calendar) -> None:
    """Due dates from the clock start, the targets and the business time spent paused."""
    if state.first_response_minutes is None:
        state.first_response_due_at = None
    elif state.first_responded_at is None or state.first_response_due_at is None:
        state.first_response_due_at = _add(
            state.started_at, state.first_response_minutes + state.paused_minutes, calendar
        )
    state.resolution_due_at = (
        None
        if state.resolution_minutes is None
        else _add(state.started_at, state.resolution_minutes + state.paused_minutes, calendar)
    )
    if state.next_response_started_at is None or state.next_response_minutes is None:
        state.next_response_started_at = state.next_response_due_at = None
    elif state.next_response_due_at is None:
        state.next_response_due_at = _add(
            state.next_response_started_at, state.next_response_minutes, calendar
        )


def _reconcile_status(
    state: TicketSla, ticket: Ticket, calendar: Calendar, now: dt.datetime
) -> list[Checkpoint]:
    """Pause, resume or stop the clocks for the ticket's status; returns late next responses."""
    late: list[Checkpoint] = []
    if ticket.status == Status.CLOSED:
        if state.stopped_at is None:
            state.stopped_at = now
        return late
    state.stopped_at = None
    if ticket.status in PAUSING_STATUSES:
        if state.paused_at is None:
            state.paused_at = now
            late = _end_next_response(state, now)
    elif state.paused_at is not None:
        paused = business_minutes_between(state.paused_at, now, calendar)
        state.paused_minutes += max(0.0, paused)
        state.paused_at = None
    return late


def _end_next_response(state: TicketSla, now: dt.datetime) -> list[Checkpoint]:
    due = state.next_response_due_at
    state.next_response_started_at = state.next_response_due_at = None
    if due is not None and now > due:
        return [Checkpoint(due, Metric.NEXT_RESPONSE, AlertKind.BREACH, 100, due)]
    return []


def _follow_reply(
    state: TicketSla, ticket: Ticket, replied_by: int | None, now: dt.datetime
) -> list[Checkpoint]:
    """A requester's reply starts the next-response clock; an agent's public reply ends it."""
    if replied_by is None:
        return []
    if replied_by == ticket.requester_id:
        clock_free = state.paused_at is None and state.stopped_at is None
        if clock_free and ticket.first_responded_at and state.next_response_started_at is None:
            state.next_response_started_at = now
            state.next_response_due_at = None
        return []
    if User.objects.filter(
        pk=replied_by, role__in=(Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
    ).exists():
        return _end_next_response(state, now)
    return []


def checkpoints(state: TicketSla, rule: PolicyRule | None, calendar: Calendar) -> list[Checkpoint]:
    """Every warning and breach moment of the clocks; a stopped clock only owes a late breach."""
    thresholds = rule.thresholds if rule else ()
    frozen_at = state.paused_at or state.stopped_at
    found: list[Checkpoint] = []

    def clock(metric: str, start, minutes, paused: float, due, stopped_at) -> None:
        if due is None or start is None or minutes is None:
            return
        if stopped_at is not None:
            if stopped_at > due:
                found.append(Checkpoint(due, metric, AlertKind.BREACH, 100, due))
            return
        for percent in thresholds:
            at = _add(start, minutes * percent / 100 + paused, calendar)
            found.append(Checkpoint(at, metric, AlertKind.WARNING, percent, due))
        found.append(Checkpoint(due, metric, AlertKind.BREACH, 100, due))

    clock(
        Metric.FIRST_RESPONSE,
        state.started_at,
        state.first_response_minutes,
        state.paused_minutes,
        state.first_response_due_at,
        state.first_responded_at or frozen_at,
    )
    clock(
        Metric.NEXT_RESPONSE,
        state.next_response_started_at,
        state.next_response_minutes,
        0.0,
        state.next_response_due_at,
        frozen_at,
    )
    clock(
        Metric.RESOLUTION,
        state.started_at,
        state.resolution_minutes,
        state.paused_minutes,
        state.resolution_due_at,
        frozen_at,
    )
    return found


def sync_ticket_sla(
    ticket_id: int,
    *,
    created: bool = False,
    recompute: bool = False,
    replied_by: int | None = None,
    now: dt.datetime | None = None,
    dry_run: bool = False,
    quiet: bool = False,
) -> TicketSla | None:
    """Bring one ticket's clocks up to date and write changed due dates to the ticket.

    On creation (and when priority, category or type change) the policy is chosen again;
    without any policy (none matches and no default) the ticket keeps its default targets.
    A dry run computes the state without writing anything (for tickets that predate it).
    A quiet run records the warnings and breaches already due without notifying anyone
    or escalating (for tickets loaded with their history, see `build_missing_clocks`).
    """
    now = now or timezone.now()
    ticket = _load_ticket(ticket_id)
    if ticket is None:
        return None
    config = current_config()
    state = None if created else TicketSla.objects.filter(ticket_id=ticket_id).first()
    is_new = state is None
    if state is None:
        state = TicketSla(ticket_id=ticket.pk, started_at=ticket.created_at)
    rule = _rule_by_id(config, state.policy_id)
    if is_new or recompute:
        rule = config.policy_for(facts_of(ticket))
        if rule is None:
            return None
        _apply_rule(state, rule, ticket.priority)
    calendar = config.calendar(state.calendar_id)
    if calendar is None:
        return None
    late = _reconcile_status(state, ticket, calendar, now)
    late += _follow_reply(state, ticket, replied_by, now)
    state.first_responded_at = ticket.first_responded_at
    due_dates(state, calendar)
    if dry_run:
        return state
    _evaluate(state, ticket, rule, calendar, now, extra=late, quiet=quiet)
    state.updated_at = now
    if is_new:
        if not _insert_once(state):
            return state  # a change delivered before "created" set the clocks up already
    else:
        state.save()
    _write_due_dates(state, ticket, reason="policy applied" if is_new or recompute else "resumed")
    return state


def _insert_once(state: TicketSla) -> bool:
    """Insert a new clock row; False if it exists (events of one request can arrive out of
    order, e.g. a rule's update inside the delivery of "created")."""
    try:
        if connection.in_atomic_block:  # keep the caller's transaction usable on a clash
            with transaction.atomic():
                state.save(force_insert=True)
        else:  # after commit, in autocommit: one statement, no BEGIN/COMMIT around it
            state.save(force_insert=True)
    except IntegrityError:
        return False
    return True


def _write_due_dates(state: TicketSla, ticket: Ticket, *, reason: str) -> None:
    if state.paused_at is not None or state.stopped_at is not None:
        return  # the ticket keeps the dates it had when the clock stopped
    wanted = (state.first_response_due_at, state.resolution_due_at)
    if wanted == (ticket.first_response_due_at, ticket.due_at):
        return
    ticket_services.set_sla_targets(
        ticket.pk,
        first_response_due_at=wanted[0],
        due_at=wanted[1],
        policy_name=state.policy_name,
        reason=reason,
    )


# --- warnings and breaches -----------------------------------------------------------


def _evaluate(
    state: TicketSla,
    ticket: Ticket,
    rule: PolicyRule | None,
    calendar: Calendar,
    now: dt.datetime,
    extra: list[Checkpoint] = (),  # type: ignore[assignment]
    quiet: bool = False,
) -> list[SlaAlert]:
    """Raise the alerts whose moment has come and set when to look again."""
    points = checkpoints(state, rule, calendar)
    reached = [*extra, *(p for p in points if p.at <= now)]
    upcoming = [p.at for p in points if p.at > now]
    state.next_check_at = min(upcoming) if upcoming else None
    if not reached:
        return []
    return _raise_alerts(state, ticket, rule, reached, now, quiet=quiet)


def _recipients(ticket: Ticket) -> tuple[int, ...]:
    supervisors = User.objects.filter(role=Role.SUPERVISOR, is_active=True).values_list(
        "pk", flat=True
    )
    ids = [ticket.assignee_id] if ticket.assignee_id else []
    return tuple(dict.fromkeys([*ids, *supervisors]))


def _raise_alerts(
    state: TicketSla,
    ticket: Ticket,
    rule: PolicyRule | None,
    reached: list[Checkpoint],
    now: dt.datetime,
    quiet: bool = False,
) -> list[SlaAlert]:
    known = set(
        SlaAlert.objects.filter(ticket_id=ticket.pk).values_list(
            "metric", "kind", "threshold", "due_at"
        )
    )
    fresh = [p for p in reached if (p.metric, p.kind, p.threshold, p.due_at) not in known]
    if not fresh:
        return []
    recipients = () if quiet else _recipients(ticket)
    raised = []
    for point in sorted(fresh, key=lambda p: (p.at, p.threshold)):
        action = (
            (rule.breach_action if rule else BreachAction.RECORD) if point.kind == "breach" else ""
        )
        try:
            with transaction.atomic():
                alert = SlaAlert.objects.create(
                    ticket_id=ticket.pk,
                    metric=point.metric,
                    kind=point.kind,
                    threshold=point.threshold,
                    due_at=point.due_at,
                    recipient_ids=list(recipients),
                    action=action,
                    created_at=now,
                )
        except IntegrityError:
            continue  # a concurrent scan raised it already
        _record(ticket, point, action, at=point.at if quiet else None)
        if quiet:
            raised.append(alert)
            continue  # history only: nobody is told about a moment long past
        if action and action != BreachAction.RECORD:
            _escalate(ticket, action, point)
        sla_events.publish(
            sla_events.SlaAlertRaised(
                alert_id=alert.pk,
                ticket_id=ticket.pk,
                metric=point.metric,
                kind=point.kind,
                threshold=point.threshold,
                due_at=point.due_at,
                recipient_ids=recipients,
                action=action,
            )
        )
        raised.append(alert)
    return raised


def _record(
    ticket: Ticket, point: Checkpoint, action: str, *, at: dt.datetime | None = None
) -> None:
    if point.kind == AlertKind.BREACH:
        new, reason = "breached", f"due {point.due_at.isoformat()}"
    else:
        new, reason = f"warning {point.threshold}%", f"due {point.due_at.isoformat()}"
    if action:
        reason += f"; action: {action}"
    ticket_services.record_sla_event(
        ticket.pk, field=f"sla.{point.metric}", new_value=new, reason=reason, at=at
    )


def _escalate(ticket: Ticket, action: str, point: Checkpoint) -> None:
    reason = f"SLA {point.metric} breached (due {point.due_at.isoformat()})"
    if action == BreachAction.RAISE_PRIORITY and ticket.priority in _NEXT_PRIORITY:
        ticket.priority = _NEXT_PRIORITY[ticket.priority]
        ticket_services.escalate_for_sla(ticket.pk, priority=ticket.priority, reason=reason)
    elif action == BreachAction.ESCALATE_TIER and ticket.tier in _NEXT_TIER:
        ticket.tier = _NEXT_TIER[ticket.tier]
        ticket_services.escalate_for_sla(ticket.pk, tier=ticket.tier, reason=reason)


# --- the periodic scan ---------------------------------------------------------------


def scan_sla(now: dt.datetime | None = None) -> dict[str, int]:
    """Raise every warning and breach that is due (the `sla-scan` periodic job)."""
    now = now or timezone.now()
    config = current_config()
    states = list(
        TicketSla.objects.filter(next_check_at__lte=now)
        .select_related("ticket")
        .order_by("next_check_at")[:SCAN_BATCH]
    )
    counts = {"checked": len(states), "warnings": 0, "breaches": 0}
    for state in states:
        calendar = config.calendar(state.calendar_id)
        if calendar is None:
            TicketSla.objects.filter(pk=state.pk).update(next_check_at=None)
            continue
        alerts = _evaluate(state, state.ticket, _rule_by_id(config, state.policy_id), calendar, now)
        TicketSla.objects.filter(pk=state.pk).update(next_check_at=state.next_check_at)
        for alert in alerts:
            counts["breaches" if alert.kind == AlertKind.BREACH else "warnings"] += 1
    return counts


def build_missing_clocks(ticket_ids: list[int] | None = None) -> int:
    """Set up clocks for tickets that have none (loaded without ticket events, as the demo
    is), as if they had run all along; returns how many were set up.

    Each ticket is brought up to the moment it stopped moving: closed, solved, or gone
    pending at its last change. Warnings and breaches already past go into its history
    without notifications or escalations; those still ahead are raised by the scan.
    """
    tickets = Ticket.objects.filter(sla__isnull=True).order_by("pk")
    if ticket_ids is not None:
        tickets = tickets.filter(pk__in=ticket_ids)
    now = timezone.now()
    built = 0
    for ticket in tickets.only("pk", "status", "solved_at", "closed_at", "updated_at"):
        moment = {
            Status.CLOSED: ticket.closed_at,
            Status.SOLVED: ticket.solved_at,
            Status.PENDING: ticket.updated_at,
        }.get(ticket.status)
        with transaction.atomic():
            state = sync_ticket_sla(ticket.pk, created=True, now=moment or now, quiet=True)
        built += state is not None
    return built


# --- configuration ---------------------------------------------------------------------


def reapply_policies(limit: int = 10_000) -> int:
    """Choose the policy again for every open ticket (after an administrator changed the
    policies); returns how many tickets were looked at. Due dates and history follow."""
    forget_config()
    ids = list(Ticket.objects.active().order_by("pk").values_list("pk", flat=True)[:limit])
    for ticket_id in ids:
        sync_ticket_sla(ticket_id, recompute=True)
    return len(ids)


@transaction.atomic
def ensure_default_policy() -> SlaPolicy:
    """The default policy, created on a 24/7 calendar with the tickets' default targets if
    missing (the migrations seed it; this restores it, e.g. after a database flush)."""
    policy = SlaPolicy.objects.filter(is_default=True).first()
    if policy is not None:
        return policy
    calendar, _ = BusinessCalendar.objects.get_or_create(
        name="24/7", defaults={"time_zone": "UTC", "is_24x7": True}
    )
    policy = SlaPolicy.objects.create(
        name="Default", is_default=True, position=1000, calendar=calendar
    )
    SlaTarget.objects.bulk_create(
        SlaTarget(
            policy=policy,
            priority=priority,
            first_response_minutes=respond * 60,
            next_response_minutes=respond * 60,
            resolution_minutes=resolve * 60,
        )
        for priority, (respond, resolve) in ticket_services.DEFAULT_TARGETS_HOURS.items()
    )
    transaction.on_commit(forget_config)
    return policy


# --- state for the API ---------------------------------------------------------------


def clock_state(
    state: TicketSla, metric: str, calendar: Calendar | None, now: dt.datetime
) -> dict[str, Any]:
    """One metric's figures: target, due, elapsed and remaining business minutes, status."""
    minutes, start, due, done, paused = {
        Metric.FIRST_RESPONSE: (
            state.first_response_minutes,
            state.started_at,
            state.first_response_due_at,
            state.first_responded_at,
            state.paused_minutes,
        ),
        Metric.NEXT_RESPONSE: (
            state.next_response_minutes,
            state.next_response_started_at,
            state.next_response_due_at,
            None,
            0.0,
        ),
        Metric.RESOLUTION: (
            state.resolution_minutes,
            state.started_at,
            state.resolution_due_at,
            None,
            state.paused_minutes,
        ),
    }[metric]
    result: dict[str, Any] = {
        "metric": metric,
        "target_minutes": minutes,
        "started_at": start,
        "due_at": due,
        "completed_at": done,
        "elapsed_minutes": None,
        "remaining_minutes": None,
        "percent": None,
        "status": "none",
    }
    if minutes is None or start is None or due is None or calendar is None:
        return result
    until = done or state.paused_at or state.stopped_at or now
    elapsed = max(0.0, business_minutes_between(start, until, calendar) - paused)
    result["elapsed_minutes"] = math.floor(elapsed)
    result["remaining_minutes"] = math.ceil(minutes - elapsed)
    result["percent"] = round(100 * elapsed / minutes, 1) if minutes else 100.0
    if done is not None:
        result["status"] = "met" if done <= due else "breached"
    elif until > due:
        result["status"] = "breached"
    elif state.paused_at is not None or state.stopped_at is not None:
        result["status"] = "paused" if state.paused_at else "stopped"
    else:
        result["status"] = "running"
    return result
