"""Routing: who in a team gets a ticket, and presence/shift bookkeeping that decides it.

Only agents who are on shift (or on call) and online are assigned, within their
capacity. Each team picks a strategy: manual, round-robin, least-loaded, or skills-based
(the ticket category's required skills, then least-loaded among those who have them).
Assignments go through tickets.services as the system user (history source "routing").
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from helpline.accounts.choices import PresenceStatus, RoutingStrategy
from helpline.accounts.models import AgentPresence, OnCall, Shift, Team, User
from helpline.tickets.choices import ACTIVE_STATUSES, Status
from helpline.tickets.models import Ticket

logger = logging.getLogger(__name__)

AWAY_AFTER = dt.timedelta(minutes=10)
OFFLINE_AFTER = dt.timedelta(minutes=30)


# --- shifts and presence -----------------------------------------------------------


def _in_window(shift: Shift, local: dt.datetime) -> bool:
    now_t = local.time()
    if shift.starts <= shift.ends:
        return shift.weekday == local.weekday() and shift.starts <= now_t < shift.ends
    # Past midnight: the evening part on the shift's weekday, the morning part on the next day.
    return (shift.weekday == local.weekday() and now_t >= shift.starts) or (
        (shift.weekday + 1) % 7 == local.weekday() and now_t < shift.ends
    )


def on_shift(team: Team, now: dt.datetime | None = None) -> set[int]:
    """Ids of the team's agents working now. A team with no shifts at all works 24/7."""
    now = now or timezone.now()
    shifts = list(Shift.objects.filter(team=team))
    members = set(team.members.filter(is_active=True).values_list("pk", flat=True))
    if not shifts:
        working = members
    else:
        local = now.astimezone(zoneinfo.ZoneInfo(team.time_zone or "UTC"))
        working = {s.agent_id for s in shifts if _in_window(s, local)} & members
    on_call = OnCall.objects.filter(team=team, starts_at__lte=now, ends_at__gt=now).values_list(
        "agent_id", flat=True
    )
    return working | set(on_call)


def set_presence(agent: User, status: str) -> AgentPresence:
    """Record an agent's presence; going offline hands their untouched tickets back."""
    if status not in PresenceStatus.values:
        from helpline.core.problems import ServiceError

        raise ServiceError(f"Unknown presence {status!r}.", code="invalid-presence", status=422)
    now = timezone.now()
    presence, _ = AgentPresence.objects.get_or_create(user=agent)
    changed = presence.status != status
    presence.status = status
    presence.last_seen_at = now if status != PresenceStatus.OFFLINE else presence.last_seen_at
    if changed:
        presence.changed_at = now
    presence.save()
    if changed and status == PresenceStatus.OFFLINE:
        hand_back(agent)
    return presence


def touch(agent: User) -> None:
    """A heartbeat from the agent's browser: online now."""
    now = timezone.now()
    updated = AgentPresence.objects.filter(user=agent).update(last_seen_at=now)
    presence = AgentPresence.objects.filter(user=agent).only("status").first()
    if not updated or presence is None or presence.status != PresenceStatus.ONLINE:
        set_presence(agent, PresenceStatus.ONLINE)


def sweep_presence(now: dt.datetime | None = None) -> dict[str, int]:
    """Periodic job: idle agents become away, long-silent agents offline (handing tickets back)."""
    now = now or timezone.now()
    away = AgentPresence.objects.filter(
        status=PresenceStatus.ONLINE, last_seen_at__lt=now - AWAY_AFTER
    ).update(status=PresenceStatus.AWAY, changed_at=now)
    gone = 0
    stale = AgentPresence.objects.filter(
        status=PresenceStatus.AWAY, last_seen_at__lt=now - OFFLINE_AFTER
    )
    for presence in stale.select_related("user"):
        set_presence(presence.user, PresenceStatus.OFFLINE)
        gone += 1
    return {"away": away, "offline": gone}


def hand_back(agent: User) -> int:
    """Return the agent's new (not yet answered) tickets to their team's queue, and re-route them."""
    from helpline.accounts.services import get_system_user
    from helpline.tickets import services

    system = get_system_user()
    returned = 0
    for ticket in Ticket.objects.filter(
        assignee=agent, status=Status.NEW, first_responded_at__isnull=True
    ):
        services.assign_ticket(
            system, ticket, assignee=None, reason=f"{agent} went offline", source="routing"
        )
        returned += 1
        route_ticket(ticket.pk)
    return returned


# --- choosing an agent -------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    agent: User
    load: int


def candidates(team: Team, ticket: Ticket, now: dt.datetime | None = None) -> list[Candidate]:
    """Agents of the team who may take the ticket now: on shift, online, under capacity, skilled."""
    working = on_shift(team, now)
    online = set(
        AgentPresence.objects.filter(user_id__in=working, status=PresenceStatus.ONLINE).values_list(
            "user_id", flat=True
        )
    )
    agents = User.objects.filter(pk__in=online, is_active=True).annotate(
        load=Count("assigned_tickets", filter=Q(assigned_tickets__status__in=ACTIVE_STATUSES))
    )
    if team.routing_strategy == RoutingStrategy.SKILLS and ticket.category_id:
        for skill_id in ticket.category.required_skills.values_list("pk", flat=True):
            agents = agents.filter(skills__pk=skill_id)
    return [
        Candidate(a, a.load)
        for a in agents.order_by("pk")
        if not a.max_open_tickets or a.load < a.max_open_tickets
    ]


def choose(team: Team, pool: list[Candidate]) -> User | None:
    if not pool or team.routing_strategy == RoutingStrategy.MANUAL:
        return None
    if team.routing_strategy == RoutingStrategy.ROUND_ROBIN:
        ids = [c.agent.pk for c in pool]
        after = [
            c
            for c in pool
            if team.last_assigned_id is not None and c.agent.pk > team.last_assigned_id
        ]
        return (after or pool)[0].agent if ids else None
    return min(pool, key=lambda c: (c.load, c.agent.pk)).agent


def route_ticket(ticket_id: int, now: dt.datetime | None = None) -> User | None:
    """Assign an unassigned ticket to an agent of its team, if the team's strategy says so."""
    from helpline.accounts.services import get_system_user
    from helpline.tickets import services

    with transaction.atomic():
        ticket = Ticket.objects.select_related("team", "category").filter(pk=ticket_id).first()
        if (
            ticket is None
            or ticket.team is None
            or ticket.assignee_id
            or ticket.status not in ACTIVE_STATUSES
        ):
            return None
        team = Team.objects.select_for_update().get(pk=ticket.team_id)
        agent = choose(team, candidates(team, ticket, now))
        system = get_system_user()
        if agent is None and not on_shift(team, now):
            team, agent = _follow_the_sun(team, ticket, now)
            if agent is not None:
                services.update_ticket(
                    system,
                    ticket,
                    {"team": team},
                    source="routing",
                    reason=f"follow the sun: nobody on shift in {ticket.team.name}",
                )
        if agent is None:
            return None
        services.assign_ticket(
            system,
            ticket,
            assignee=agent,
            reason=f"{team.get_routing_strategy_display()} routing",
            source="routing",
        )
        Team.objects.filter(pk=team.pk).update(last_assigned=agent)
    return agent


def _follow_the_sun(
    team: Team, ticket: Ticket, now: dt.datetime | None
) -> tuple[Team, User | None]:
    """The first team down the hand-off chain with someone to take the ticket."""
    seen = {team.pk}
    current = team
    while current.handoff_team_id and current.handoff_team_id not in seen:
        current = Team.objects.get(pk=current.handoff_team_id)
        seen.add(current.pk)
        agent = choose(current, candidates(current, ticket, now))
        if agent is not None:
            return current, agent
    return team, None


# --- supervisor view ---------------------------------------------------------------


def overview(now: dt.datetime | None = None) -> list[dict]:
    """Per team: who is on shift now, their presence and load, and tickets at risk."""
    now = now or timezone.now()
    soon = now + dt.timedelta(hours=2)
    teams = []
    for team in Team.objects.order_by("name"):
        working = on_shift(team, now)
        presence = dict(
            AgentPresence.objects.filter(user_id__in=working).values_list("user_id", "status")
        )
        loads = dict(
            Ticket.objects.filter(assignee_id__in=working, status__in=ACTIVE_STATUSES)
            .values("assignee_id")
            .annotate(n=Count("id"))
            .values_list("assignee_id", "n")
        )
        at_risk = Ticket.objects.filter(team=team, status__in=ACTIVE_STATUSES, due_at__lt=soon)
        agents = User.objects.filter(pk__in=working).order_by("full_name")
        teams.append(
            {
                "team": {
                    "id": team.pk,
                    "name": team.name,
                    "tier": team.tier,
                    "routing": team.routing_strategy,
                },
                "on_shift": [
                    {
                        "id": a.pk,
                        "name": a.get_full_name(),
                        "presence": presence.get(a.pk, "offline"),
                        "load": loads.get(a.pk, 0),
                        "capacity": a.max_open_tickets,
                    }
                    for a in agents
                ],
                "unassigned": Ticket.objects.filter(
                    team=team, status__in=ACTIVE_STATUSES, assignee__isnull=True
                ).count(),
                "at_risk": [
                    {
                        "id": t.pk,
                        "number": t.number,
                        "subject": t.subject,
                        "due_at": t.due_at,
                        "overdue": t.due_at < now,
                    }
                    for t in at_risk.order_by("due_at")[:20]
                ],
            }
        )
    return teams


def add_handover_note(actor: User, team: Team, text: str):
    from helpline.accounts.models import HandoverNote
    from helpline.core.problems import Forbidden, ServiceError

    if not actor.is_agent:
        raise Forbidden("Only agents write handover notes.")
    if not text.strip():
        raise ServiceError("The note is empty.", code="empty-note", status=422)
    return HandoverNote.objects.create(team=team, author=actor, text=text.strip()[:20000])
