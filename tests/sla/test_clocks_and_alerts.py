"""Pausing on pending, warnings and breaches from the scan, escalation, next response."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.management import call_command

from helpline.sla import events as sla_events
from helpline.sla.models import SlaAlert, TicketSla
from helpline.sla.services import scan_sla
from helpline.tickets import services
from helpline.tickets.models import Ticket, TicketEvent
from tests.factories import make_ticket
from tests.sla.conftest import make_policy, office_calendar

pytestmark = pytest.mark.django_db

UTC = dt.UTC
MONDAY_9AM_MSK = dt.datetime(2025, 3, 17, 6, 0, tzinfo=UTC)


def at(minutes: int) -> dt.datetime:
    """Minutes after Monday 09:00 Moscow time (all within Monday's working hours)."""
    return MONDAY_9AM_MSK + dt.timedelta(minutes=minutes)


@pytest.fixture
def acme_policy(personas):
    return make_policy(
        "Acme",
        office_calendar(),
        organization=personas.organization,
        targets={"P3": (100, 100, 400), "P2": (50, 50, 200)},
    )


@pytest.fixture
def ticket(personas, acme_policy, django_capture_on_commit_callbacks) -> Ticket:
    with (
        time_machine.travel(at(0), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        created = make_ticket(personas.requester)
    return Ticket.objects.get(pk=created.pk)


def run(moment: dt.datetime, capture, action) -> None:
    with time_machine.travel(moment, tick=False), capture(execute=True):
        action()


def test_pending_pauses_the_clock_and_resuming_moves_the_due_date(
    personas, ticket, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    assert ticket.due_at == at(400)

    run(
        at(60),
        capture,
        lambda: services.add_message(
            personas.l1_agent, ticket, body="Which model?", status="pending"
        ),
    )
    state = TicketSla.objects.get(ticket=ticket)
    assert state.paused_at == at(60)
    assert Ticket.objects.get(pk=ticket.pk).due_at == at(400)  # kept while paused

    # The requester answers after 18:00 and the night: 9 business hours were paused.
    next_morning = at(24 * 60 + 30)  # Tuesday 09:30
    run(
        next_morning,
        capture,
        lambda: services.add_message(personas.requester, ticket, body="HP 402"),
    )

    ticket.refresh_from_db()
    state.refresh_from_db()
    assert ticket.status == "open"
    assert state.paused_at is None
    assert state.paused_minutes == 480 + 30  # 10:00-18:00 on Monday, 09:00-09:30 on Tuesday
    assert ticket.due_at == at(24 * 60 + 30 + 340)  # 340 of the 400 minutes were left
    event = TicketEvent.objects.filter(ticket=ticket, source="sla", field="due_at").last()
    assert (event.old_value, event.reason) == (at(400).isoformat(), "Acme: resumed")


def test_scan_warns_at_each_threshold_then_records_the_breach_once(
    personas, ticket, django_capture_on_commit_callbacks
):
    raised: list[sla_events.SlaAlertRaised] = []
    sla_events.subscribe(raised.append)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            first = scan_sla(now=at(76))  # 76% of first response
            second = scan_sla(now=at(95))
            third = scan_sla(now=at(101))
            again = scan_sla(now=at(102))
    finally:
        sla_events.unsubscribe(raised.append)

    assert first == {"checked": 1, "warnings": 1, "breaches": 0}
    assert second == {"checked": 1, "warnings": 1, "breaches": 0}
    assert third == {"checked": 1, "warnings": 0, "breaches": 1}
    assert again == {"checked": 0, "warnings": 0, "breaches": 0}
    alerts = list(SlaAlert.objects.filter(ticket=ticket).values_list("metric", "kind", "threshold"))
    assert alerts == [
        ("first_response", "warning", 75),
        ("first_response", "warning", 90),
        ("first_response", "breach", 100),
    ]
    assert [(a.kind, a.threshold, a.recipient_ids) for a in raised] == [
        ("warning", 75, (personas.supervisor.pk,)),
        ("warning", 90, (personas.supervisor.pk,)),
        ("breach", 100, (personas.supervisor.pk,)),
    ]
    history = TicketEvent.objects.filter(ticket=ticket, field="sla.first_response")
    assert [(e.new_value, e.source, e.is_internal) for e in history] == [
        ("warning 75%", "sla", True),
        ("warning 90%", "sla", True),
        ("breached", "sla", True),
    ]
    assert TicketSla.objects.get(ticket=ticket).next_check_at == at(300)  # resolution at 75%


def test_warnings_go_to_the_assignee_and_the_supervisors(
    personas, ticket, django_capture_on_commit_callbacks
):
    run(
        at(10),
        django_capture_on_commit_callbacks,
        lambda: services.assign_ticket(personas.l1_agent, ticket, assignee=personas.l1_agent),
    )

    scan_sla(now=at(80))

    alert = SlaAlert.objects.get(ticket=ticket)
    assert alert.recipient_ids == [personas.l1_agent.pk, personas.supervisor.pk]


def test_breach_raises_the_priority_when_the_policy_says_so(
    personas, ticket, acme_policy, django_capture_on_commit_callbacks
):
    acme_policy.breach_action = "raise_priority"
    acme_policy.save()
    from helpline.sla.policies import forget_config

    forget_config()

    with django_capture_on_commit_callbacks(execute=True):
        counts = scan_sla(now=at(101))

    ticket.refresh_from_db()
    assert counts["breaches"] == 1
    assert ticket.priority == "P2"
    event = TicketEvent.objects.get(ticket=ticket, kind="priority_changed")
    assert (event.old_value, event.new_value, event.source) == ("P3", "P2", "sla")
    # The escalation does not shorten the targets it was raised for.
    assert ticket.due_at == at(400)
    assert SlaAlert.objects.get(ticket=ticket, kind="breach").action == "raise_priority"


def test_breach_moves_the_ticket_to_the_next_tier(
    personas, ticket, acme_policy, django_capture_on_commit_callbacks
):
    acme_policy.breach_action = "escalate_tier"
    acme_policy.save()
    from helpline.sla.policies import forget_config

    forget_config()

    scan_sla(now=at(101))

    assert Ticket.objects.get(pk=ticket.pk).tier == "L2"


def test_late_first_response_is_recorded_when_the_agent_replies(
    personas, ticket, django_capture_on_commit_callbacks
):
    run(
        at(130),
        django_capture_on_commit_callbacks,
        lambda: services.add_message(personas.l1_agent, ticket, body="Looking"),
    )

    scan_sla(now=at(131))

    assert list(SlaAlert.objects.filter(ticket=ticket, kind="breach").values_list("metric")) == [
        ("first_response",)
    ]


def test_answered_in_time_raises_no_first_response_alert(
    personas, ticket, django_capture_on_commit_callbacks
):
    run(
        at(20),
        django_capture_on_commit_callbacks,
        lambda: services.add_message(personas.l1_agent, ticket, body="Looking"),
    )

    scan_sla(now=at(99))

    assert not SlaAlert.objects.filter(ticket=ticket, metric="first_response").exists()


def test_requester_reply_starts_the_next_response_clock_and_an_agent_reply_stops_it(
    personas, ticket, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    run(at(10), capture, lambda: services.add_message(personas.l1_agent, ticket, body="Restart it"))
    run(
        at(20),
        capture,
        lambda: services.add_message(personas.requester, ticket, body="Did not help"),
    )

    state = TicketSla.objects.get(ticket=ticket)
    assert (state.next_response_started_at, state.next_response_due_at) == (at(20), at(120))

    run(at(50), capture, lambda: services.add_message(personas.l1_agent, ticket, body="On my way"))

    state.refresh_from_db()
    assert state.next_response_due_at is None


def test_closed_ticket_stops_every_clock(personas, ticket, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    run(at(10), capture, lambda: services.change_status(personas.l1_agent, ticket, "solved"))
    run(at(20), capture, lambda: services.change_status(personas.l1_agent, ticket, "closed"))

    state = TicketSla.objects.get(ticket=ticket)
    assert state.stopped_at == at(20)
    assert state.next_check_at is None
    assert scan_sla(now=at(2000)) == {"checked": 0, "warnings": 0, "breaches": 0}


def test_sla_scan_runs_as_a_periodic_job(ticket, capsys):
    with time_machine.travel(at(101), tick=False):
        call_command("jobs", "run", "sla-scan")

    assert "sla-scan: {'checked': 1, 'warnings': 2, 'breaches': 1}" in capsys.readouterr().out


def test_an_internal_note_that_sets_pending_pauses_too(
    personas, ticket, django_capture_on_commit_callbacks
):
    run(
        at(5),
        django_capture_on_commit_callbacks,
        lambda: services.add_message(
            personas.l1_agent, ticket, body="Waiting for the photo", kind="note", status="pending"
        ),
    )

    state = TicketSla.objects.get(ticket=ticket)
    assert state.paused_at == at(5)
    assert state.first_responded_at is None
