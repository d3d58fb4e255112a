"""The supervisor's page: the rota now, presence, load, at-risk tickets, handover notes."""

import pytest
from django.test import Client

from helpline.accounts.models import HandoverNote
from helpline.dispatch import routing
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_supervisor_sees_who_is_on_shift_with_presence_and_load(personas):
    routing.set_presence(personas.l1_agent, "online")
    ticket = make_ticket(personas.requester, category=personas.category)
    from helpline.tickets import services

    services.assign_ticket(personas.l1_agent, ticket, assignee=personas.l1_agent)
    HandoverNote.objects.create(
        team=personas.l1_team, author=personas.l1_agent, text="Printer 3 is flaky"
    )

    page = signed_in(personas.supervisor).get("/supervisor/").content.decode()

    assert "L1 Service Desk" in page and "Alice L1" in page
    assert "presence-online" in page
    assert "Printer 3 is flaky" in page


@pytest.mark.parametrize("persona", ["l1_agent", "requester"])
def test_others_do_not_see_the_supervisor_page(personas, persona):
    assert signed_in(getattr(personas, persona)).get("/supervisor/").status_code == 404


def test_supervisor_page_query_count_does_not_grow_with_tickets(
    personas, django_assert_max_num_queries
):
    client = signed_in(personas.supervisor)
    client.get("/supervisor/")
    for n in range(10):
        make_ticket(personas.requester, subject=f"ticket {n}", category=personas.category)
    with django_assert_max_num_queries(40):
        assert client.get("/supervisor/").status_code == 200
