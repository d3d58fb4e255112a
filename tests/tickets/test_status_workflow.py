"""The status state machine, as properties and through the services."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from helpline.core.problems import Conflict
from helpline.tickets import services, workflow
from helpline.tickets.choices import EventKind, Status
from helpline.tickets.models import Ticket
from tests.factories import make_ticket

statuses = st.sampled_from(list(Status))


@given(statuses)
def test_closed_is_final(target):
    assert not workflow.can_transition(Status.CLOSED, target)


@given(st.lists(statuses, max_size=12))
def test_any_walk_through_allowed_moves_stays_in_known_states(path):
    current = Status.NEW
    for target in path:
        if workflow.can_transition(current, target):
            current = target
        assert current in Status.values
        if current == Status.CLOSED:
            assert workflow.TRANSITIONS[current] == frozenset()


@given(statuses)
def test_requester_reply_never_leaves_ticket_waiting_on_them(current):
    after = workflow.status_after_requester_reply(current)
    assert after not in (Status.PENDING, Status.SOLVED)


def test_requester_reply_reopens_solved_ticket(personas):
    ticket = make_ticket(personas.requester)
    services.change_status(personas.l1_agent, ticket, Status.SOLVED)

    services.add_message(personas.requester, ticket, body="Still broken, sorry.", channel="email")

    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.solved_at is None
    kinds = list(ticket.events.values_list("kind", "old_value", "new_value"))
    assert (EventKind.REOPENED, Status.SOLVED, Status.OPEN) in kinds


def test_agent_first_reply_opens_new_ticket_and_records_first_response(personas):
    ticket = make_ticket(personas.requester)

    services.add_message(personas.l1_agent, ticket, body="Please restart the printer.")

    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.first_responded_at is not None
    assert ticket.message_count == 2


def test_reply_to_closed_ticket_is_refused_and_writes_nothing(personas):
    ticket = make_ticket(personas.requester)
    services.change_status(personas.l1_agent, ticket, Status.CLOSED)

    with pytest.raises(Conflict):
        services.add_message(personas.requester, ticket, body="hello?")

    assert ticket.messages.count() == 1


def test_invalid_transition_is_refused(personas):
    ticket = make_ticket(personas.requester)
    services.change_status(personas.l1_agent, ticket, Status.SOLVED)

    with pytest.raises(Conflict):
        services.change_status(personas.l1_agent, ticket, Status.PENDING)

    assert Ticket.objects.get(pk=ticket.pk).status == Status.SOLVED


def test_solved_tickets_close_after_configured_days(personas, settings):
    import datetime as dt

    from django.utils import timezone

    settings.TICKET_AUTO_CLOSE_DAYS = 3
    old = make_ticket(personas.requester)
    fresh = make_ticket(personas.requester)
    for ticket in (old, fresh):
        services.change_status(personas.l1_agent, ticket, Status.SOLVED)
    Ticket.objects.filter(pk=old.pk).update(solved_at=timezone.now() - dt.timedelta(days=4))

    closed = services.close_solved_tickets()

    assert closed == 1
    assert Ticket.objects.get(pk=old.pk).status == Status.CLOSED
    assert Ticket.objects.get(pk=fresh.pk).status == Status.SOLVED
    assert old.events.filter(kind=EventKind.AUTO_CLOSED, source="schedule").count() == 1
