"""Agents' saved filters: a named queue + filters + sort in the left-hand navigation."""

import pytest
from django.test import Client

from helpline.tickets.models import SavedFilter

pytestmark = pytest.mark.django_db


def agent_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_saving_the_current_list_keeps_its_query_and_shows_it_in_the_navigation(personas):
    client = agent_client(personas.l1_agent)

    response = client.post(
        "/tickets/filters/",
        {"name": "  My P1s ", "queue": "mine", "priority": "P1", "sort": "-updated", "evil": "x"},
    )

    saved = SavedFilter.objects.get(owner=personas.l1_agent)
    assert saved.name == "My P1s"
    assert saved.query == "queue=mine&priority=P1&sort=-updated"
    assert response["Location"] == "/tickets/?queue=mine&priority=P1&sort=-updated"
    page = client.get("/tickets/").content.decode()
    assert 'href="/tickets/?queue=mine&amp;priority=P1&amp;sort=-updated">My P1s</a>' in page


def test_filters_are_private_and_deletable_only_by_their_owner(personas):
    mine = SavedFilter.objects.create(owner=personas.l1_agent, name="Mine", query="queue=mine")

    agent_client(personas.l2_agent).post(f"/tickets/filters/{mine.pk}/delete/")
    assert SavedFilter.objects.filter(pk=mine.pk).exists()
    assert "Mine</a>" not in agent_client(personas.l2_agent).get("/tickets/").content.decode()

    agent_client(personas.l1_agent).post(f"/tickets/filters/{mine.pk}/delete/")
    assert not SavedFilter.objects.filter(pk=mine.pk).exists()


def test_requesters_cannot_save_filters(personas):
    response = agent_client(personas.requester).post(
        "/tickets/filters/", {"name": "x", "queue": "all"}
    )

    assert response.status_code in (302, 403, 404)
    assert SavedFilter.objects.count() == 0
