"""Routing: strategies, shifts, presence, capacity, skills, hand-back, supervisor view."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from helpline.accounts.models import OnCall, Shift, Skill
from helpline.dispatch import routing
from helpline.tickets import services
from helpline.tickets.models import Ticket, TicketEvent
from tests.factories import auth, make_ticket, make_user, token_for

# Routing runs after commit, so these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fresh_caches():
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def desk(personas):
    """The L1 team with three online agents and least-loaded routing."""
    team = personas.l1_team
    second = make_user("dina@helpline.test", role="agent", tier="L1", full_name="Dina L1")
    third = make_user("egor@helpline.test", role="agent", tier="L1", full_name="Egor L1")
    team.members.add(second, third)
    team.routing_strategy = "least_loaded"
    team.save()
    agents = [personas.l1_agent, second, third]
    for agent in agents:
        routing.set_presence(agent, "online")
    return team, agents


TOPICS = [
    "printer jam",
    "vpn error 809",
    "outlook password",
    "new monitor",
    "wifi drops",
    "1C licence",
    "keyboard",
    "scanner",
]


def new_ticket(personas, n: int):
    """Distinct tickets, so duplicate detection leaves them alone."""
    return make_ticket(
        personas.requester,
        category=personas.category,
        subject=TOPICS[n],
        body=f"Request {n}: {TOPICS[n]} in room {100 + n}",
    )


def test_least_loaded_spreads_new_tickets(personas, desk):
    team, agents = desk

    tickets = [new_ticket(personas, n) for n in range(6)]

    owners = [Ticket.objects.get(pk=t.pk).assignee for t in tickets]
    assert sorted(owners.count(agent) for agent in agents) == [2, 2, 2]
    event = TicketEvent.objects.filter(ticket=tickets[0], source="routing").get()
    assert event.reason == "Least loaded routing"


def test_round_robin_takes_turns(personas, desk):
    team, agents = desk
    team.routing_strategy = "round_robin"
    team.save()

    owners = [Ticket.objects.get(pk=new_ticket(personas, n).pk).assignee for n in range(4)]

    assert owners == [agents[0], agents[1], agents[2], agents[0]]


def test_only_online_agents_within_capacity_are_assigned(personas, desk):
    team, agents = desk
    routing.set_presence(agents[1], "away")
    routing.set_presence(agents[2], "offline")
    agents[0].max_open_tickets = 1
    agents[0].save()

    first = new_ticket(personas, 0)
    second = new_ticket(personas, 1)

    assert Ticket.objects.get(pk=first.pk).assignee == agents[0]
    assert Ticket.objects.get(pk=second.pk).assignee is None  # everyone else away/offline or full


def test_skills_routing_needs_the_categorys_skills(personas, desk):
    team, agents = desk
    team.routing_strategy = "skills"
    team.save()
    printers = Skill.objects.create(name="printers")
    personas.category.required_skills.add(printers)
    agents[2].skills.add(printers)

    ticket = make_ticket(personas.requester, category=personas.category)

    assert Ticket.objects.get(pk=ticket.pk).assignee == agents[2]


def test_shifts_decide_who_works_now_including_overnight_and_on_call(personas, desk):
    team, agents = desk
    now = timezone.now().replace(hour=23, minute=30, second=0, microsecond=0)
    Shift.objects.create(
        team=team, agent=agents[0], weekday=now.weekday(), starts=dt.time(9), ends=dt.time(18)
    )
    Shift.objects.create(
        team=team, agent=agents[1], weekday=now.weekday(), starts=dt.time(22), ends=dt.time(6)
    )
    OnCall.objects.create(
        team=team,
        agent=agents[2],
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=1),
    )

    assert routing.on_shift(team, now) == {agents[1].pk, agents[2].pk}
    assert routing.on_shift(team, now + dt.timedelta(hours=3)) == {
        agents[1].pk
    }  # after midnight, still on


def test_manual_teams_are_not_routed(personas, desk):
    team, agents = desk
    team.routing_strategy = "manual"
    team.save()

    ticket = make_ticket(personas.requester, category=personas.category)

    assert Ticket.objects.get(pk=ticket.pk).assignee is None


def test_going_offline_hands_untouched_tickets_back_to_the_queue(personas, desk):
    team, agents = desk
    ticket = new_ticket(personas, 2)
    owner = Ticket.objects.get(pk=ticket.pk).assignee
    answered = new_ticket(personas, 3)
    answered_owner = Ticket.objects.get(pk=answered.pk).assignee
    services.add_message(answered_owner, answered, body="On it")

    routing.set_presence(owner, "offline")

    new_owner = Ticket.objects.get(pk=ticket.pk).assignee
    assert new_owner is not None and new_owner != owner
    if answered_owner == owner:
        assert Ticket.objects.get(pk=answered.pk).assignee == owner  # answered tickets stay


def test_presence_sweep_marks_idle_agents_away_then_offline(personas, desk):
    team, agents = desk
    later = timezone.now() + dt.timedelta(minutes=15)

    assert routing.sweep_presence(later) == {"away": 3, "offline": 0}
    assert routing.sweep_presence(later + dt.timedelta(minutes=30)) == {"away": 0, "offline": 3}


def test_supervisor_overview_and_handover_notes(client, personas, desk):
    team, agents = desk
    make_ticket(personas.requester, category=personas.category)

    response = client.get("/api/v1/supervisor/overview", **auth(token_for(personas.supervisor)))
    denied = client.get("/api/v1/supervisor/overview", **auth(token_for(personas.l1_agent)))
    note = client.post(
        f"/api/v1/teams/{team.pk}/handover-notes",
        data=json.dumps({"text": "Printer 3 flaky"}),
        content_type="application/json",
        **auth(token_for(personas.l1_agent)),
    )

    assert response.status_code == 200 and denied.status_code == 403
    desk_row = next(row for row in response.json() if row["team"]["id"] == team.pk)
    assert {a["name"] for a in desk_row["on_shift"]} == {a.get_full_name() for a in agents}
    assert sum(a["load"] for a in desk_row["on_shift"]) == 1
    assert note.status_code == 201 and note.json()["text"] == "Printer 3 flaky"


def test_presence_endpoint(client, personas):
    response = client.post(
        "/api/v1/presence",
        data=json.dumps({"status": "online"}),
        content_type="application/json",
        **auth(token_for(personas.l2_agent)),
    )
    refused = client.post(
        "/api/v1/presence",
        data=json.dumps({"status": "online"}),
        content_type="application/json",
        **auth(token_for(personas.requester)),
    )

    assert response.status_code == 200 and response.json()["status"] == "online"
    assert refused.status_code == 403


def test_follow_the_sun_hands_tickets_to_the_team_on_shift(personas, desk):
    team, agents = desk
    night = timezone.now().replace(hour=2, minute=0, second=0, microsecond=0)
    for agent in agents:
        Shift.objects.create(
            team=team, agent=agent, weekday=night.weekday(), starts=dt.time(9), ends=dt.time(18)
        )
    overseas = personas.l3_team
    overseas.routing_strategy = "least_loaded"
    overseas.save()
    routing.set_presence(personas.agent_other_team, "online")
    team.handoff_team = overseas
    team.save()
    ticket = new_ticket(personas, 4)
    Ticket.objects.filter(pk=ticket.pk).update(assignee=None)

    chosen = routing.route_ticket(ticket.pk, now=night)

    ticket.refresh_from_db()
    assert chosen == personas.agent_other_team
    assert ticket.team == overseas
    assert TicketEvent.objects.filter(
        ticket=ticket, field="team", source="routing"
    ).get().reason == ("follow the sun: nobody on shift in L1 Service Desk")
