"""Queue pages on a large desk: pages without a total count, capped and cached counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from helpline.tickets import services
from helpline.tickets.models import Ticket
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _tickets(personas, count: int) -> list[Ticket]:
    return [
        make_ticket(personas.requester, subject=f"Ticket {index}", category=personas.category)
        for index in range(count)
    ]


def test_queue_pages_go_next_and_previous_without_counting_the_queue(personas):
    _tickets(personas, 27)
    client = _client(personas.l1_agent)
    with CaptureQueriesContext(connection) as queries:
        first = client.get("/tickets/list/?queue=all").content.decode()
    assert first.count("data-row") == 25
    assert 'href="?queue=all&amp;queue=all&amp;page=2" rel="next"' not in first
    assert 'href="?queue=all&amp;page=2" rel="next"' in first
    assert 'rel="prev"' not in first
    assert "Page 1" in first
    # no COUNT over the queue: the page reads one row more than it shows
    assert not [q for q in queries if "COUNT(" in q["sql"].upper()]
    second = client.get("/tickets/list/?queue=all&page=2").content.decode()
    assert second.count("data-row") == 2
    assert "Ticket 0<" in second and "Ticket 1<" in second
    assert 'href="?queue=all&amp;page=1" rel="prev"' in second
    assert 'rel="next"' not in second
    beyond = client.get("/tickets/list/?queue=all&page=9").content.decode()
    assert "data-row" not in beyond
    assert "No more tickets in this list." in beyond
    assert 'href="?queue=all&amp;page=8" rel="prev"' in beyond


@pytest.mark.parametrize("page", ["0", "-1", "two", ""])
def test_a_page_that_is_not_a_number_shows_the_first(personas, page):
    _tickets(personas, 2)
    listing = _client(personas.l1_agent).get(f"/tickets/list/?queue=all&page={page}")
    assert listing.status_code == 200
    assert listing.content.decode().count("data-row") == 2


def test_counts_above_the_cap_show_a_plus(personas, monkeypatch):
    monkeypatch.setattr("helpline.tickets.queues.COUNT_CAP", 2)
    monkeypatch.setattr("helpline.tickets.views.COUNT_CAP", 2)
    _tickets(personas, 3)
    page = _client(personas.l1_agent).get("/tickets/counts/").content.decode()
    assert 'data-count="all">2+<' in page
    assert 'data-count="unassigned">2+<' in page
    assert 'data-count="mine">0<' in page


def test_counts_are_kept_until_a_ticket_changes(personas):
    # given an agent whose counts were just computed
    ticket, _other = _tickets(personas, 2)
    client = _client(personas.l1_agent)
    assert 'data-count="mine">0<' in client.get("/tickets/counts/").content.decode()
    # when the counts are asked for again, nothing changed: one cheap lookup, no counting
    with CaptureQueriesContext(connection) as again:
        page = client.get("/tickets/counts/").content.decode()
    assert 'data-count="all">2<' in page
    assert not [q for q in again if "COUNT(" in q["sql"].upper()]
    # when a ticket changes, the next counts show it
    services.assign_ticket(personas.l1_agent, ticket, assignee=personas.l1_agent)
    page = client.get("/tickets/counts/").content.decode()
    assert 'data-count="mine">1<' in page
    assert 'data-count="unassigned">1<' in page


def test_counts_are_per_user(personas):
    ticket = _tickets(personas, 1)[0]
    services.assign_ticket(personas.l1_agent, ticket, assignee=personas.l1_agent)
    assert (
        'data-count="mine">1<'
        in _client(personas.l1_agent).get("/tickets/counts/").content.decode()
    )
    other = _client(personas.supervisor).get("/tickets/counts/").content.decode()
    assert 'data-count="mine">0<' in other
