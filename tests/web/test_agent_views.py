"""The agent workspace and ticket page through the Django test client."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from helpline.tickets import services
from helpline.tickets.choices import EventKind, MessageKind, Status
from helpline.tickets.models import Message, Ticket, TicketEvent
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


AGENT_PAGES = ["/tickets/", "/tickets/list/", "/tickets/counts/", "/tickets/new/"]


@pytest.mark.parametrize("url", AGENT_PAGES)
def test_agent_pages_refuse_requesters(personas, url):
    response = _client(personas.requester).get(url)
    assert response.status_code == 403


@pytest.mark.parametrize("url", AGENT_PAGES)
def test_agent_pages_send_anonymous_users_to_sign_in(db, url):
    response = Client().get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_requester_gets_403_on_an_agent_ticket_page_and_nothing_changes(personas):
    ticket = make_ticket(personas.requester)
    client = _client(personas.requester)
    assert client.get(f"/tickets/{ticket.number}/").status_code == 403
    response = client.post(f"/tickets/{ticket.number}/act/take/")
    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.assignee_id is None


def test_agent_of_another_team_gets_404_for_a_ticket_outside_their_teams(personas):
    ticket = make_ticket(personas.requester, team=personas.l2_team, actor=personas.l1_agent)
    response = _client(personas.agent_other_team).get(f"/tickets/{ticket.number}/")
    assert response.status_code == 404


def _make_tickets(personas, count: int) -> None:
    for index in range(count):
        make_ticket(
            personas.requester if index % 2 else personas.colleague,
            subject=f"Ticket {index}",
            category=personas.category,
            tags=["vpn", f"t{index}"],
        )


@pytest.mark.parametrize("url", ["/tickets/?queue=all", "/tickets/list/?queue=all&sort=-priority"])
def test_list_views_use_a_constant_number_of_queries(personas, url):
    client = _client(personas.l1_agent)
    _make_tickets(personas, 3)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    _make_tickets(personas, 12)
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.decode().count("data-row") == 15
    assert len(many) == len(few)


def test_portal_list_uses_a_constant_number_of_queries(personas):
    client = _client(personas.requester)
    _make_tickets(personas, 2)
    with CaptureQueriesContext(connection) as few:
        client.get("/portal/")
    _make_tickets(personas, 10)
    with CaptureQueriesContext(connection) as many:
        client.get("/portal/")
    assert len(many) == len(few)


def test_queues_count_and_filter(personas):
    mine = make_ticket(personas.requester, category=personas.category)
    services.assign_ticket(personas.l1_agent, mine, assignee=personas.l1_agent)
    make_ticket(personas.requester, subject="Unassigned one", category=personas.category)
    pending = make_ticket(personas.requester, category=personas.category)
    services.change_status(personas.l1_agent, pending, Status.PENDING)
    client = _client(personas.l1_agent)
    page = client.get("/tickets/counts/").content.decode()
    assert 'data-count="mine">1<' in page
    assert 'data-count="unassigned">2<' in page
    assert 'data-count="pending">1<' in page
    assert 'data-count="all">3<' in page
    listing = client.get("/tickets/list/?queue=all&q=Unassigned").content.decode()
    assert listing.count("data-row") == 1


def test_breaching_queue_holds_tickets_due_within_two_hours(personas):
    from datetime import timedelta

    from django.utils import timezone

    soon = make_ticket(personas.requester, subject="Due soon", category=personas.category)
    make_ticket(personas.requester, subject="Due later", category=personas.category)
    Ticket.objects.filter(pk=soon.pk).update(due_at=timezone.now() + timedelta(minutes=90))
    listing = _client(personas.l1_agent).get("/tickets/list/?queue=breaching").content.decode()
    assert "Due soon" in listing
    assert "Due later" not in listing


def _reply_data(ticket: Ticket, **extra) -> dict:
    ticket.refresh_from_db()
    return {
        "body": "Hello",
        "kind": "reply",
        "seen_updated_at": ticket.updated_at.isoformat(),
        "seen_count": ticket.message_count,
        **extra,
    }


def test_agent_reply_is_markdown_rendered_and_sanitised(personas):
    ticket = make_ticket(personas.requester, category=personas.category)
    client = _client(personas.l1_agent)
    body = "**Done** <script>alert(1)</script>"
    response = client.post(f"/tickets/{ticket.number}/reply/", _reply_data(ticket, body=body))
    assert response.status_code == 302
    message = Message.objects.filter(ticket=ticket).last()
    assert "<strong>Done</strong>" in message.body_html
    assert "<script>" not in message.body_html
    assert message.kind == MessageKind.REPLY


def test_note_with_status_and_time_spent(personas):
    ticket = make_ticket(personas.requester, category=personas.category)
    client = _client(personas.l1_agent)
    data = _reply_data(ticket, kind="note", status="pending", time_spent="25")
    client.post(f"/tickets/{ticket.number}/reply/", data)
    ticket.refresh_from_db()
    note = Message.objects.filter(ticket=ticket).last()
    assert (note.kind, note.time_spent_minutes, ticket.status) == ("note", 25, "pending")
    page = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert "msg-note" in page
    assert "25 minutes" in page


def test_reply_is_refused_with_a_warning_when_the_ticket_changed_meanwhile(personas):
    ticket = make_ticket(personas.requester, category=personas.category)
    client = _client(personas.l1_agent)
    data = _reply_data(ticket, body="My answer")
    services.add_message(personas.supervisor, ticket, body="Someone else answered")
    response = client.post(f"/tickets/{ticket.number}/reply/", data)
    assert response.status_code == 409
    page = response.content.decode()
    assert 'id="collision-warning"' in page
    assert "My answer</textarea>" in page
    assert Message.objects.filter(ticket=ticket, body_text="My answer").count() == 0
    # sending again with the fresh values goes through
    data["force"] = "True"
    response = client.post(f"/tickets/{ticket.number}/reply/", data)
    assert response.status_code == 302
    assert Message.objects.filter(ticket=ticket, body_text="My answer").count() == 1


def test_escalation_needs_a_reason_and_records_it(personas):
    ticket = make_ticket(personas.requester, category=personas.category)
    client = _client(personas.l1_agent)
    client.post(f"/tickets/{ticket.number}/act/escalate/", {"tier": "L2", "reason": ""})
    ticket.refresh_from_db()
    assert ticket.team_id == personas.l1_team.pk
    response = client.post(
        f"/tickets/{ticket.number}/act/escalate/", {"tier": "L2", "reason": "Driver issue"}
    )
    ticket.refresh_from_db()
    assert (ticket.team_id, ticket.tier, ticket.assignee_id) == (personas.l2_team.pk, "L2", None)
    assert response["Location"] == "/tickets/"
    event = TicketEvent.objects.get(ticket=ticket, kind=EventKind.TEAM_CHANGED)
    assert event.reason == "Driver issue"
    assert event.actor_id == personas.l1_agent.pk
    # the L2 specialist sees one action with its reason shown once
    page = _client(personas.l2_agent).get(f"/tickets/{ticket.number}/").content.decode()
    assert page.count("Driver issue") == 1
    assert "moved the ticket from team L1 Service Desk to L2 Desktop" in page


def test_take_priority_and_link_actions(personas):
    ticket = make_ticket(personas.requester, category=personas.category)
    other = make_ticket(personas.requester, category=personas.category)
    client = _client(personas.l1_agent)
    client.post(f"/tickets/{ticket.number}/act/take/")
    client.post(f"/tickets/{ticket.number}/act/priority/", {"priority": "P1", "reason": "CEO"})
    client.post(f"/tickets/{ticket.number}/act/link/", {"target": other.number, "kind": "related"})
    ticket.refresh_from_db()
    assert (ticket.assignee_id, ticket.priority, ticket.priority_override_reason) == (
        personas.l1_agent.pk,
        "P1",
        "CEO",
    )
    assert ticket.links_out.get().target_id == other.pk


def test_bulk_assign_status_tag_and_merge(personas):
    a, b, c = (make_ticket(personas.requester, category=personas.category) for _ in range(3))
    client = _client(personas.l1_agent)
    client.post(
        "/tickets/bulk/",
        {"action": "assign", "ids": [a.pk, b.pk], "assignee": personas.l1_agent.pk},
    )
    client.post("/tickets/bulk/", {"action": "tag", "ids": [a.pk, b.pk], "tag": "Printer"})
    client.post("/tickets/bulk/", {"action": "status", "ids": [a.pk], "status": "pending"})
    client.post("/tickets/bulk/", {"action": "merge", "ids": [c.pk], "merge_into": a.number})
    a.refresh_from_db()
    c.refresh_from_db()
    assert a.assignee_id == personas.l1_agent.pk
    assert list(a.tags.values_list("name", flat=True)) == ["printer"]
    assert a.status == "pending"
    assert c.merged_into_id == a.pk


def test_bulk_ignores_tickets_the_agent_cannot_see(personas):
    hidden = make_ticket(personas.requester, team=personas.l3_team, actor=personas.admin)
    _client(personas.l1_agent).post(
        "/tickets/bulk/", {"action": "status", "ids": [hidden.pk], "status": "pending"}
    )
    hidden.refresh_from_db()
    assert hidden.status == "new"


def test_phone_ticket_for_an_existing_caller(personas):
    client = _client(personas.l1_agent)
    found = client.get("/tickets/requesters/?q=495").content.decode()
    personas.requester.phone = "+7 495 111"
    personas.requester.save()
    found = client.get("/tickets/requesters/?q=495").content.decode()
    assert f'data-pick-requester="{personas.requester.pk}"' in found
    response = client.post(
        "/tickets/new/",
        {
            "requester": personas.requester.pk,
            "subject": "Monitor flickers",
            "body": "Since *Monday*",
            "type": "incident",
            "category": personas.category.pk,
            "impact": "medium",
            "urgency": "high",
            "channel": "phone",
            "assign_to_me": "on",
        },
    )
    ticket = Ticket.objects.get(subject="Monitor flickers")
    assert response["Location"] == f"/tickets/{ticket.number}/"
    assert (ticket.requester_id, ticket.channel, ticket.assignee_id) == (
        personas.requester.pk,
        "phone",
        personas.l1_agent.pk,
    )
    assert "<em>Monday</em>" in ticket.messages.get().body_html


def test_phone_ticket_creates_a_new_caller_inline(personas):
    client = _client(personas.l1_agent)
    client.post(
        "/tickets/new/",
        {
            "new_email": "new.caller@acme.example",
            "new_name": "New Caller",
            "new_phone": "+7 900 000",
            "subject": "Cannot log in",
            "body": "Forgot password",
            "type": "incident",
            "impact": "medium",
            "urgency": "medium",
            "channel": "phone",
        },
    )
    ticket = Ticket.objects.get(subject="Cannot log in")
    assert (ticket.requester.email, ticket.requester.role, ticket.requester.phone) == (
        "new.caller@acme.example",
        "requester",
        "+7 900 000",
    )


def test_preview_renders_sanitised_markdown(personas):
    response = _client(personas.l1_agent).post(
        "/tickets/preview/", {"body": "# Hi\n<img src=x onerror=alert(1)>"}
    )
    html = response.content.decode()
    assert "<h1>Hi</h1>" in html
    assert "onerror" not in html


def test_dates_are_shown_in_the_users_time_zone(personas):
    import datetime as dt

    ticket = make_ticket(personas.requester, category=personas.category)
    moment = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC)
    Ticket.objects.filter(pk=ticket.pk).update(created_at=moment)
    personas.l1_agent.time_zone = "Asia/Vladivostok"
    personas.l1_agent.save()
    page = _client(personas.l1_agent).get(f"/tickets/{ticket.number}/").content.decode()
    assert "2 Mar, 19:30" in page


def test_ticket_page_uses_a_constant_number_of_queries(personas):
    ticket = make_ticket(personas.requester, category=personas.category)
    client = _client(personas.l1_agent)

    def converse(times: int) -> None:
        for index in range(1, times + 1):
            services.add_message(
                personas.l1_agent, ticket, body=f"Answer {index}", time_spent_minutes=5
            )
            services.add_message(personas.requester, ticket, body=f"Question {index}")
            services.add_message(personas.supervisor, ticket, body="Note", kind=MessageKind.NOTE)
            services.assign_ticket(
                personas.l1_agent, ticket, assignee=personas.l1_agent if index % 2 else None
            )

    converse(1)
    with CaptureQueriesContext(connection) as few:
        client.get(f"/tickets/{ticket.number}/")
    converse(5)
    with CaptureQueriesContext(connection) as many:
        response = client.get(f"/tickets/{ticket.number}/")
    assert response.content.decode().count('class="msg ') == 1 + 6 * 3
    assert len(many) == len(few)


def test_ticket_page_in_russian(personas):
    ticket = make_ticket(personas.requester, category=personas.category)
    personas.l1_agent.language = "ru"
    personas.l1_agent.save()
    page = _client(personas.l1_agent).get(f"/tickets/{ticket.number}/").content.decode()
    assert "Публичный ответ" in page
    assert "Внутренняя заметка" in page
    assert "Принтеры" in page


def test_escalation_from_the_ticket_page_keeps_the_handoff_note(personas):
    ticket = make_ticket(personas.requester, category=personas.category)

    _client(personas.l1_agent).post(
        f"/tickets/{ticket.number}/act/escalate/",
        {"tier": "L3", "reason": "Server side", "note": "Event log shows disk errors on FS02"},
    )

    ticket.refresh_from_db()
    assert (ticket.team_id, ticket.tier) == (personas.l3_team.pk, "L3")
    assert ticket.messages.get(kind="note").body_text == "Event log shows disk errors on FS02"
