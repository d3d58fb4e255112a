"""The same search service over tickets: indexed on commit, limited to visible tickets."""

from __future__ import annotations

import pytest

from helpline.kb import selectors
from helpline.tickets import services as ticket_services
from tests.factories import auth, make_ticket, token_for

pytestmark = pytest.mark.django_db


def test_ticket_search_finds_own_tickets_only(personas, client, django_capture_on_commit_callbacks):
    # given two requesters with printer tickets, and an internal note on one
    with django_capture_on_commit_callbacks(execute=True):
        mine = make_ticket(personas.requester, subject="Принтер в 305 не печатает")
        theirs = make_ticket(personas.other_requester, subject="Принтеры на 4 этаже")
        ticket_services.add_message(
            personas.supervisor, mine, body="секретный пароль сервера", kind="note"
        )

    # when each searches
    own = selectors.search_tickets(personas.requester, "принтер")
    other = selectors.search_tickets(personas.other_requester, "принтеры")
    boss = selectors.search_tickets(personas.supervisor, "печать принтер")
    notes = selectors.search_tickets(personas.supervisor, "секретный пароль")

    # then nobody sees another's ticket and internal notes are not indexed
    assert [h.object_id for h in own] == [mine.pk]
    assert [h.object_id for h in other] == [theirs.pk]
    assert {h.object_id for h in boss} == {mine.pk, theirs.pk}
    assert notes == []


def test_ticket_search_api_needs_sign_in(client, personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(personas.requester, subject="VPN не подключается")

    anonymous = client.get("/api/v1/kb/tickets/search", {"q": "впн"})
    mine = client.get(
        "/api/v1/kb/tickets/search", {"q": "впн"}, **auth(token_for(personas.requester))
    )

    assert anonymous.status_code == 401
    assert [i["id"] for i in mine.json()["items"]] == [ticket.pk]
