"""Merging, linking and the history endpoint: who did what, old and new value, and why."""

from __future__ import annotations

import json

import pytest

from helpline.tickets import services
from helpline.tickets.models import Ticket, TicketLink
from tests.api.matrix_world import snapshot
from tests.factories import auth, make_ticket, token_for

pytestmark = pytest.mark.django_db


def post(client, url: str, token: str, body: dict):
    return client.post(url, data=json.dumps(body), content_type="application/json", **auth(token))


def test_merge_moves_the_conversation_and_closes_the_source(client, personas):
    source = make_ticket(personas.requester, subject="Printer jams", category=personas.category)
    target = make_ticket(personas.colleague, subject="Printer broken", category=personas.category)
    services.add_message(personas.l1_agent, source, body="Checking", kind="note")
    token = token_for(personas.l1_agent)

    response = post(
        client,
        f"/api/v1/tickets/{source.pk}/merge",
        token,
        {"into_id": target.pk, "reason": "same printer"},
    )

    assert response.status_code == 200, response.content
    assert response.json()["id"] == target.pk
    assert response.json()["message_count"] == 3
    source.refresh_from_db()
    assert (source.status, source.merged_into_id, source.message_count) == ("closed", target.pk, 0)
    assert target.messages.count() == 3
    source_history = client.get(f"/api/v1/tickets/{source.pk}/history", **auth(token)).json()
    assert source_history[-1] | {"id": None, "created_at": None} == {
        "id": None,
        "created_at": None,
        "kind": "merged_into",
        "field": "status",
        "old_value": "new",
        "new_value": "closed",
        "reason": f"merged into #{target.number}: same printer",
        "source": "",
        "actor": {
            "id": personas.l1_agent.pk,
            "email": personas.l1_agent.email,
            "full_name": "Alice L1",
        },
    }
    target_history = client.get(f"/api/v1/tickets/{target.pk}/history", **auth(token)).json()
    assert [(e["kind"], e["field"], e["new_value"], e["reason"]) for e in target_history] == [
        ("created", "", str(target.number), ""),
        ("merged", "merged", str(source.number), "same printer"),
    ]


def test_merged_source_refuses_replies_and_a_second_merge(client, personas):
    source = make_ticket(personas.requester, category=personas.category)
    target = make_ticket(personas.requester, category=personas.category)
    other = make_ticket(personas.requester, category=personas.category)
    token = token_for(personas.l1_agent)
    post(client, f"/api/v1/tickets/{source.pk}/merge", token, {"into_id": target.pk})
    before = snapshot()

    again = post(client, f"/api/v1/tickets/{source.pk}/merge", token, {"into_id": other.pk})
    reply = post(client, f"/api/v1/tickets/{source.pk}/messages", token, {"body": "hello?"})

    assert again.status_code == 409
    assert reply.status_code == 409
    assert reply.json()["code"] == "ticket-closed"
    assert snapshot() == before


@pytest.mark.parametrize(
    ("target_name", "status", "code"),
    [
        ("itself", 422, "merge-self"),
        ("hidden", 404, "not-found"),
        ("closed", 409, "ticket-closed"),
        ("missing", 404, "not-found"),
    ],
)
def test_refused_merges_write_nothing(client, personas, target_name, status, code):
    source = make_ticket(personas.requester, category=personas.category)
    hidden = make_ticket(personas.other_requester, actor=personas.l1_agent, team=personas.l3_team)
    closed = make_ticket(personas.requester, category=personas.category)
    services.change_status(personas.l1_agent, closed, "closed")
    targets = {"itself": source.pk, "hidden": hidden.pk, "closed": closed.pk, "missing": 10**9}
    token = token_for(personas.l1_agent)
    before = snapshot()

    response = post(
        client, f"/api/v1/tickets/{source.pk}/merge", token, {"into_id": targets[target_name]}
    )

    assert response.status_code == status
    assert response.json()["code"] == code
    assert snapshot() == before


def test_link_is_recorded_on_both_tickets_once(client, personas):
    first = make_ticket(personas.requester, category=personas.category)
    second = make_ticket(personas.requester, category=personas.category)
    token = token_for(personas.l1_agent)

    response = post(
        client,
        f"/api/v1/tickets/{first.pk}/links",
        token,
        {"target_id": second.pk, "kind": "duplicate"},
    )
    repeat = post(
        client,
        f"/api/v1/tickets/{first.pk}/links",
        token,
        {"target_id": second.pk, "kind": "duplicate"},
    )

    assert response.status_code == repeat.status_code == 201
    assert response.json() == {
        "id": TicketLink.objects.get().pk,
        "source_id": first.pk,
        "target_id": second.pk,
        "kind": "duplicate",
    }
    assert repeat.json()["id"] == response.json()["id"]
    assert [(e.field, e.new_value) for e in first.events.filter(kind="linked")] == [
        ("duplicate", str(second.number))
    ]
    assert [(e.field, e.new_value) for e in second.events.filter(kind="linked")] == [
        ("duplicate:reverse", str(first.number))
    ]


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"target_id": "self", "kind": "related"}, 422),
        ({"target_id": "hidden", "kind": "related"}, 404),
        ({"target_id": "other", "kind": "blocks"}, 422),
    ],
)
def test_refused_links_write_nothing(client, personas, body, status):
    source = make_ticket(personas.requester, category=personas.category)
    other = make_ticket(personas.requester, category=personas.category)
    hidden = make_ticket(personas.other_requester, actor=personas.l1_agent, team=personas.l3_team)
    ids = {"self": source.pk, "hidden": hidden.pk, "other": other.pk}
    token = token_for(personas.l1_agent)
    before = snapshot()

    response = post(
        client,
        f"/api/v1/tickets/{source.pk}/links",
        token,
        {**body, "target_id": ids[body["target_id"]]},
    )

    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    assert snapshot() == before


def test_history_lists_every_change_with_actor_old_new_and_reason(client, personas):
    ticket = make_ticket(personas.requester, category=personas.category, tags=["printer"])
    token = token_for(personas.l1_agent)
    client.patch(
        f"/api/v1/tickets/{ticket.pk}",
        data=json.dumps(
            {
                "subject": "Printer jams on tray 2",
                "urgency": "high",
                "tags": ["printer", "tray"],
                "assignee_id": personas.l1_agent.pk,
                "status": "open",
                "reason": "triaged on the phone",
            }
        ),
        content_type="application/json",
        **auth(token),
    )

    history = client.get(f"/api/v1/tickets/{ticket.pk}/history", **auth(token)).json()

    changes = [
        (e["kind"], e["field"], e["old_value"], e["new_value"], e["reason"], e["source"])
        for e in history
    ]
    assert changes == [
        ("created", "", "", str(ticket.number), "", "api"),
        (
            "field_changed",
            "subject",
            "Printer does not print",
            "Printer jams on tray 2",
            "triaged on the phone",
            "api",
        ),
        ("field_changed", "urgency", "medium", "high", "triaged on the phone", "api"),
        ("priority_changed", "priority", "P3", "P2", "triaged on the phone", "api"),
        ("assigned", "assignee", "", personas.l1_agent.email, "triaged on the phone", "api"),
        ("tags_changed", "tags", "printer", "printer, tray", "triaged on the phone", "api"),
        ("status_changed", "status", "new", "open", "triaged on the phone", "api"),
    ]
    assert {e["actor"]["email"] for e in history[1:]} == {personas.l1_agent.email}
    assert history[0]["actor"]["email"] == personas.requester.email
    timestamps = [e["created_at"] for e in history]
    assert timestamps == sorted(timestamps)


def test_history_of_a_hidden_ticket_is_404(client, personas):
    ticket = make_ticket(personas.requester, category=personas.category)
    token = token_for(personas.agent_other_team)

    response = client.get(f"/api/v1/tickets/{ticket.pk}/history", **auth(token))

    assert response.status_code == 404
    assert Ticket.objects.filter(pk=ticket.pk).exists()
