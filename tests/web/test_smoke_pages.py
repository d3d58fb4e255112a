"""Every main page renders for the people who may see it."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_agent_pages_render(personas):
    # given a ticket with a reply and a note
    ticket = make_ticket(personas.requester, category=personas.category)
    agent = _client(personas.l1_agent)
    # when the agent opens the workspace, each queue, the ticket and the new-ticket form
    for url in [
        "/tickets/",
        *[
            f"/tickets/?queue={q}"
            for q in ("mine", "unassigned", "breaching", "pending", "recent", "all")
        ],
        "/tickets/list/?queue=all&sort=-priority",
        "/tickets/counts/",
        f"/tickets/{ticket.number}/",
        f"/tickets/{ticket.number}/timeline/",
        "/tickets/new/",
        "/tickets/requesters/?q=rit",
        "/profile/",
    ]:
        response = agent.get(url)
        # then each renders
        assert response.status_code == 200, url


def test_requester_pages_render(personas):
    ticket = make_ticket(personas.requester, category=personas.category)
    client = _client(personas.requester)
    for url in [
        "/portal/",
        "/portal/new/",
        f"/portal/t/{ticket.number}/",
        "/portal/new/fields/?category=1",
        "/profile/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url


def test_anonymous_pages_render(db):
    client = Client()
    for url in ["/login/", "/login/link/"]:
        assert client.get(url).status_code == 200, url
