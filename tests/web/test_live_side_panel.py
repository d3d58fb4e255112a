"""The ticket page's side panel follows changes to the ticket live (htmx on the
ticket's WebSocket event), not only the timeline."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.formats import date_format

from helpline.tickets import services
from helpline.tickets.choices import Status
from helpline.tickets.models import Ticket
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _fact(page: str, label: str) -> str:
    """The value shown next to a label in the panel's facts list."""
    match = re.search(rf"<dt>{label}</dt><dd[^>]*>(.*?)</dd>", page, re.S)
    assert match, f"no {label} in the panel"
    return re.sub(r"<[^>]+>", "", match.group(1)).strip()


def test_ticket_page_refreshes_its_side_panel_when_this_ticket_changes(personas):
    ticket = make_ticket(personas.requester, category=personas.category)
    page = _client(personas.l1_agent).get(f"/tickets/{ticket.number}/").content.decode()
    panel = re.search(r'<div id="side-panel"[^>]*>', page).group(0)
    assert f'hx-get="/tickets/{ticket.number}/panel/"' in panel
    assert 'hx-trigger="hl:this-ticket-changed from:body delay:300ms"' in panel
    assert 'id="ticket-badges"' in page


def test_panel_shows_the_ticket_as_it_is_now(personas):
    # given an agent's page showed a new, unassigned P3 ticket of the L1 team
    ticket = make_ticket(personas.requester, category=personas.category)
    client = _client(personas.l1_agent)
    before = client.get(f"/tickets/{ticket.number}/panel/").content.decode()
    assert _fact(before, "Assignee") == "—"
    # when someone else takes it, raises its priority and sets it pending with a new due time
    services.assign_ticket(personas.supervisor, ticket, assignee=personas.l1_agent)
    services.update_ticket(
        personas.supervisor, ticket, {"priority": "P1", "priority_reason": "Outage"}
    )
    services.change_status(personas.supervisor, ticket, Status.PENDING)
    # (ahead of the clock, or the panel would rightly add "overdue")
    due = (timezone.now() + dt.timedelta(days=10)).replace(hour=9, minute=30, second=0)
    Ticket.objects.filter(pk=ticket.pk).update(due_at=due)
    # then the refreshed panel shows the new assignee, team, status, priority and timer
    response = client.get(f"/tickets/{ticket.number}/panel/")
    assert response.status_code == 200
    after = response.content.decode()
    assert _fact(after, "Assignee") == "Alice L1"
    assert _fact(after, "Team") == personas.l1_team.name
    assert _fact(after, "Resolution due") == date_format(timezone.localtime(due), "j M, H:i")
    assert '<option value="pending" selected>' in after
    assert '<option value="P1" selected>' in after
    # and the head's badges come along out of band
    badges = re.search(
        r'<div class="badges" id="ticket-badges" hx-swap-oob="true">(.*?)</div>', after, re.S
    )
    assert badges is not None
    assert '<span class="status status-pending">Pending on requester</span>' in badges.group(1)
    assert '<span class="prio prio-P1">P1 — critical</span>' in badges.group(1)
    # and the panel alone is sent, without the page around it
    assert "<html" not in after
    assert 'id="timeline"' not in after


def test_panel_marks_an_overdue_ticket(personas):
    ticket = make_ticket(personas.requester, category=personas.category)
    Ticket.objects.filter(pk=ticket.pk).update(due_at=timezone.now() - dt.timedelta(minutes=5))
    page = _client(personas.l1_agent).get(f"/tickets/{ticket.number}/panel/").content.decode()
    assert _fact(page, "Resolution due").endswith("· overdue")


def test_panel_is_for_agents_who_may_see_the_ticket(personas):
    ticket = make_ticket(personas.requester, category=personas.category)
    url = f"/tickets/{ticket.number}/panel/"
    assert _client(personas.requester).get(url).status_code == 403
    assert _client(personas.agent_other_team).get(url).status_code == 404
    assert Client().get(url).status_code == 302


def test_panel_uses_a_constant_number_of_queries(personas):
    ticket = make_ticket(personas.requester, category=personas.category)
    client = _client(personas.l1_agent)
    services.add_message(personas.l1_agent, ticket, body="One", time_spent_minutes=5)
    with CaptureQueriesContext(connection) as few:
        client.get(f"/tickets/{ticket.number}/panel/")
    for index in range(6):
        services.add_message(personas.l1_agent, ticket, body=f"More {index}", time_spent_minutes=5)
        make_ticket(personas.requester, category=personas.category)
    with CaptureQueriesContext(connection) as many:
        response = client.get(f"/tickets/{ticket.number}/panel/")
    assert "35 minutes" in response.content.decode()
    assert len(many) == len(few)
