"""Choosing a policy for a ticket and writing business-calendar due dates to it."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from helpline.accounts.models import Organization
from helpline.sla.models import SlaPolicy, TicketSla
from helpline.tickets import services
from helpline.tickets.models import Category, Ticket, TicketEvent
from tests.factories import make_ticket, make_user
from tests.sla.conftest import make_policy, office_calendar

pytestmark = pytest.mark.django_db

UTC = dt.UTC
FRIDAY_5PM_MSK = dt.datetime(2025, 3, 14, 14, 0, tzinfo=UTC)
MONDAY_10AM_MSK = dt.datetime(2025, 3, 17, 7, 0, tzinfo=UTC)
MONDAY_6PM_MSK = dt.datetime(2025, 3, 17, 15, 0, tzinfo=UTC)


def create(requester, capture, **fields) -> Ticket:
    with capture(execute=True):
        ticket = make_ticket(requester, **fields)
    return Ticket.objects.get(pk=ticket.pk)


def test_new_ticket_gets_due_dates_on_office_hours(personas, django_capture_on_commit_callbacks):
    make_policy("Acme office", office_calendar(), organization=personas.organization)

    with time_machine.travel(FRIDAY_5PM_MSK, tick=False):
        ticket = create(personas.requester, django_capture_on_commit_callbacks)

    assert ticket.first_response_due_at == MONDAY_10AM_MSK
    assert ticket.due_at == MONDAY_6PM_MSK
    sla_events = TicketEvent.objects.filter(ticket=ticket, source="sla").order_by("field")
    assert [(e.field, e.new_value, e.reason) for e in sla_events] == [
        ("due_at", MONDAY_6PM_MSK.isoformat(), "Acme office: policy applied"),
        ("first_response_due_at", MONDAY_10AM_MSK.isoformat(), "Acme office: policy applied"),
    ]
    state = TicketSla.objects.get(ticket=ticket)
    assert (state.policy_name, state.priority, state.resolution_minutes) == (
        "Acme office",
        "P3",
        600,
    )


def test_default_policy_keeps_the_calendar_hour_targets_without_history_noise(
    personas, django_capture_on_commit_callbacks
):
    with time_machine.travel(FRIDAY_5PM_MSK, tick=False):
        ticket = create(personas.other_requester, django_capture_on_commit_callbacks)

    assert ticket.first_response_due_at == FRIDAY_5PM_MSK + dt.timedelta(hours=8)
    assert ticket.due_at == FRIDAY_5PM_MSK + dt.timedelta(hours=72)
    assert TicketSla.objects.get(ticket=ticket).policy_name == "Default"
    assert not TicketEvent.objects.filter(ticket=ticket, source="sla").exists()


def test_first_matching_policy_wins_in_position_order(personas, django_capture_on_commit_callbacks):
    calendar = office_calendar()
    make_policy("Incidents", calendar, position=20, ticket_type="incident")
    make_policy("Acme", calendar, position=10, organization=personas.organization)

    ticket = create(personas.requester, django_capture_on_commit_callbacks)

    assert TicketSla.objects.get(ticket=ticket).policy_name == "Acme"


def test_vip_policy_applies_only_to_vip_organizations(personas, django_capture_on_commit_callbacks):
    make_policy("VIP", office_calendar(), vip_only=True, targets={"P3": (15, 15, 120)})
    vip = Organization.objects.create(name="Big Bank", is_vip=True)
    banker = make_user("boss@bank.example", organization=vip)

    vip_ticket = create(banker, django_capture_on_commit_callbacks)
    plain_ticket = create(personas.requester, django_capture_on_commit_callbacks)

    assert TicketSla.objects.get(ticket=vip_ticket).policy_name == "VIP"
    assert TicketSla.objects.get(ticket=plain_ticket).policy_name == "Default"


def test_category_policy_covers_subcategories(personas, django_capture_on_commit_callbacks):
    hardware = Category.objects.create(name="Hardware", slug="hardware")
    laptops = Category.objects.create(name="Laptops", slug="laptops", parent=hardware)
    make_policy("Hardware", office_calendar(), category=hardware)

    ticket = create(personas.requester, django_capture_on_commit_callbacks, category=laptops)

    assert TicketSla.objects.get(ticket=ticket).policy_name == "Hardware"


def test_inactive_policies_are_skipped(personas, django_capture_on_commit_callbacks):
    make_policy("Old", office_calendar(), is_active=False)

    ticket = create(personas.requester, django_capture_on_commit_callbacks)

    assert TicketSla.objects.get(ticket=ticket).policy_name == "Default"


def test_priority_change_recomputes_due_dates_from_creation(
    personas, django_capture_on_commit_callbacks
):
    make_policy(
        "Acme",
        office_calendar(),
        organization=personas.organization,
        targets={"P3": (120, 120, 600), "P1": (15, 30, 120)},
    )
    with time_machine.travel(FRIDAY_5PM_MSK, tick=False):
        ticket = create(personas.requester, django_capture_on_commit_callbacks)

    with (
        time_machine.travel(FRIDAY_5PM_MSK + dt.timedelta(minutes=30), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.update_ticket(
            personas.l1_agent, ticket, {"priority": "P1", "priority_reason": "CEO laptop"}
        )

    ticket.refresh_from_db()
    assert ticket.first_response_due_at == FRIDAY_5PM_MSK + dt.timedelta(minutes=15)
    assert ticket.due_at == MONDAY_10AM_MSK  # one hour on Friday, one on Monday
    assert TicketSla.objects.get(ticket=ticket).priority == "P1"
    assert TicketEvent.objects.filter(ticket=ticket, source="sla", field="due_at").count() == 2


def test_without_any_policy_tickets_keep_default_targets(
    personas, django_capture_on_commit_callbacks
):
    SlaPolicy.objects.all().delete()

    with time_machine.travel(FRIDAY_5PM_MSK, tick=False):
        ticket = create(personas.requester, django_capture_on_commit_callbacks)

    assert ticket.due_at == FRIDAY_5PM_MSK + dt.timedelta(hours=72)
    assert not TicketSla.objects.filter(ticket=ticket).exists()


def test_sla_work_after_creating_a_ticket_costs_five_statements(
    personas, django_capture_on_commit_callbacks, django_assert_num_queries
):
    from helpline.sla.services import sync_ticket_sla

    make_policy("Acme", office_calendar(), organization=personas.organization)
    with django_capture_on_commit_callbacks(execute=False):
        ticket = make_ticket(personas.requester)
    create(personas.requester, django_capture_on_commit_callbacks)  # warms the config snapshot

    # Read the ticket, insert its clocks, then set_sla_targets: lock, update, history. Inside
    # the test's transaction each of the two writes adds a SAVEPOINT/RELEASE pair; after a
    # real commit (autocommit) they are one statement and one BEGIN...COMMIT.
    with django_assert_num_queries(5 + 4):
        sync_ticket_sla(ticket.pk, created=True)


def test_an_update_delivered_before_the_creation_event_does_not_clash(personas):
    from helpline.sla.services import on_ticket_change
    from helpline.tickets.events import TicketChange

    make_policy("Acme", office_calendar(), organization=personas.organization)
    ticket = make_ticket(personas.requester)  # its events are not delivered here

    # e.g. a triage rule changed the category inside the delivery of "created"
    on_ticket_change(TicketChange("updated", ticket.pk, fields=("category",)))
    on_ticket_change(TicketChange("created", ticket.pk))

    assert TicketSla.objects.filter(ticket=ticket).count() == 1
    assert TicketEvent.objects.filter(ticket=ticket, source="sla", field="due_at").count() == 1


def test_reapplying_policies_moves_open_tickets_to_a_new_policy(
    personas, django_capture_on_commit_callbacks
):
    from helpline.sla.services import reapply_policies

    with time_machine.travel(FRIDAY_5PM_MSK, tick=False):
        ticket = create(personas.requester, django_capture_on_commit_callbacks)
        make_policy("Acme office", office_calendar(), organization=personas.organization)

        looked_at = reapply_policies()

    ticket.refresh_from_db()
    assert looked_at == 1
    assert TicketSla.objects.get(ticket=ticket).policy_name == "Acme office"
    assert ticket.due_at == MONDAY_6PM_MSK


@pytest.mark.parametrize("thresholds", [[0], [100], [75, "90"], "75", [True]])
def test_warning_thresholds_must_be_whole_percentages_below_100(thresholds):
    from django.core.exceptions import ValidationError

    policy = SlaPolicy(name="Bad", calendar=office_calendar(), warning_thresholds=thresholds)

    with pytest.raises(ValidationError) as error:
        policy.full_clean()

    assert set(error.value.message_dict) == {"warning_thresholds"}
