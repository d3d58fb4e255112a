"""SLA over REST: configuration for staff, a ticket's clocks for whoever sees the ticket."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from helpline.sla.models import SlaAlert
from helpline.sla.services import scan_sla
from helpline.tickets import services
from tests.factories import auth, make_ticket, token_for
from tests.sla.conftest import make_policy, office_calendar

pytestmark = pytest.mark.django_db

UTC = dt.UTC
MONDAY_9AM_MSK = dt.datetime(2025, 3, 17, 6, 0, tzinfo=UTC)


def at(minutes: int) -> dt.datetime:
    return MONDAY_9AM_MSK + dt.timedelta(minutes=minutes)


def test_policies_are_listed_in_matching_order_with_targets(client, personas):
    make_policy("Acme", office_calendar(), organization=personas.organization, position=10)

    response = client.get("/api/v1/sla/policies", **auth(token_for(personas.l1_agent)))

    assert response.status_code == 200
    body = response.json()
    assert [p["name"] for p in body] == ["Acme", "Default"]
    assert body[0]["organization"] == {"id": personas.organization.pk, "name": "Acme"}
    assert body[0]["warning_thresholds"] == [75, 90]
    assert body[0]["targets"] == [
        {
            "priority": "P3",
            "first_response_minutes": 120,
            "next_response_minutes": 120,
            "resolution_minutes": 600,
        }
    ]


def test_policy_list_costs_two_queries_however_many_policies(client, personas):
    calendar = office_calendar()
    for number in range(5):
        make_policy(f"Policy {number}", calendar, position=number)
    token = token_for(personas.supervisor)
    client.get("/api/v1/sla/policies", **auth(token))

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/sla/policies", **auth(token))

    assert response.status_code == 200
    sla_queries = [q["sql"] for q in queries if '"sla_' in q["sql"]]
    assert len(sla_queries) == 2, sla_queries


def test_requesters_may_not_read_the_sla_configuration(client, personas):
    response = client.get("/api/v1/sla/calendars", **auth(token_for(personas.requester)))

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


def test_calendar_shows_hours_and_custom_dates(client, personas):
    calendar = office_calendar(country="RU")

    response = client.get(
        f"/api/v1/sla/calendars/{calendar.pk}", **auth(token_for(personas.l1_agent))
    )

    body = response.json()
    assert (body["time_zone"], body["country"], body["is_24x7"]) == ("Europe/Moscow", "RU", False)
    assert body["hours"][0] == {"weekday": 0, "start": "09:00", "end": "18:00"}
    assert len(body["hours"]) == 5


def test_due_endpoint_computes_on_the_calendar(client, personas):
    calendar = office_calendar()

    response = client.get(
        f"/api/v1/sla/calendars/{calendar.pk}/due",
        {"minutes": 120, "start": "2025-03-14T17:00:00+03:00"},
        **auth(token_for(personas.l1_agent)),
    )

    assert response.status_code == 200
    assert response.json()["due_at"] == "2025-03-17T07:00:00Z"


def test_due_endpoint_refuses_naive_start(client, personas):
    calendar = office_calendar()

    response = client.get(
        f"/api/v1/sla/calendars/{calendar.pk}/due",
        {"minutes": 5, "start": "2025-03-14T17:00:00"},
        **auth(token_for(personas.l1_agent)),
    )

    assert response.status_code == 422
    assert response.json()["code"] == "naive-datetime"


def test_ticket_sla_state_shows_clocks_and_alerts(
    client, personas, django_capture_on_commit_callbacks
):
    make_policy("Acme", office_calendar(), organization=personas.organization)
    with time_machine.travel(at(0), tick=False), django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(personas.requester)
    scan_sla(now=at(100))

    with time_machine.travel(at(100), tick=False):
        agent_view = client.get(
            f"/api/v1/sla/tickets/{ticket.pk}", **auth(token_for(personas.l1_agent))
        ).json()
        requester_view = client.get(
            f"/api/v1/sla/tickets/{ticket.pk}", **auth(token_for(personas.requester))
        ).json()

    assert agent_view["policy"]["name"] == "Acme"
    first = agent_view["clocks"][0]
    assert first == {
        "metric": "first_response",
        "status": "running",
        "target_minutes": 120,
        "started_at": "2025-03-17T06:00:00Z",
        "due_at": "2025-03-17T08:00:00Z",
        "completed_at": None,
        "elapsed_minutes": 100,
        "remaining_minutes": 20,
        "percent": 83.3,
    }
    assert [a["threshold"] for a in agent_view["alerts"]] == [75]
    assert requester_view["alerts"] == []
    assert requester_view["clocks"] == agent_view["clocks"]


def test_ticket_sla_state_shows_a_pause(client, personas, django_capture_on_commit_callbacks):
    make_policy("Acme", office_calendar(), organization=personas.organization)
    with time_machine.travel(at(0), tick=False), django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(personas.requester)
    with time_machine.travel(at(30), tick=False), django_capture_on_commit_callbacks(execute=True):
        services.add_message(personas.l1_agent, ticket, body="Model?", status="pending")

    with time_machine.travel(at(90), tick=False):
        body = client.get(
            f"/api/v1/sla/tickets/{ticket.pk}", **auth(token_for(personas.l1_agent))
        ).json()

    assert body["paused"] is True
    resolution = body["clocks"][2]
    assert (resolution["status"], resolution["elapsed_minutes"]) == ("paused", 30)
    assert body["clocks"][0]["status"] == "met"


def test_others_cannot_see_a_tickets_sla(client, personas):
    ticket = make_ticket(personas.requester)

    response = client.get(
        f"/api/v1/sla/tickets/{ticket.pk}", **auth(token_for(personas.other_requester))
    )

    assert response.status_code == 404


def test_breaches_are_listed_for_staff(client, personas, django_capture_on_commit_callbacks):
    make_policy("Acme", office_calendar(), organization=personas.organization)
    with time_machine.travel(at(0), tick=False), django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(personas.requester)
    scan_sla(now=at(130))

    response = client.get(
        "/api/v1/sla/alerts", {"kind": "breach"}, **auth(token_for(personas.supervisor))
    )

    assert [(a["ticket_id"], a["metric"]) for a in response.json()] == [
        (ticket.pk, "first_response")
    ]
    assert SlaAlert.objects.count() == 3


def test_ticket_sla_state_costs_a_fixed_number_of_queries(
    client, personas, django_capture_on_commit_callbacks
):
    make_policy("Acme", office_calendar(), organization=personas.organization)
    with time_machine.travel(at(0), tick=False), django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(personas.requester)
    scan_sla(now=at(110))
    token = token_for(personas.l1_agent)
    url = f"/api/v1/sla/tickets/{ticket.pk}"
    client.get(url, **auth(token))

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **auth(token))

    assert response.status_code == 200
    assert len(response.json()["alerts"]) == 2
    # one for the clocks, one for the alerts, whatever their number
    sla_queries = [q["sql"] for q in queries if '"sla_' in q["sql"]]
    assert len(sla_queries) == 2, sla_queries
