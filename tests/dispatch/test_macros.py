"""Macros: several field changes plus a reply, applied through the services in one click."""

import json

import pytest
from django.test import Client

from helpline.core.problems import ServiceError
from helpline.dispatch.macros import apply_macro, save_macro
from helpline.dispatch.rule_models import Macro
from helpline.tickets.models import TicketEvent
from tests.factories import auth, make_ticket, token_for

pytestmark = pytest.mark.django_db


def printer_macro(admin) -> Macro:
    return save_macro(
        admin,
        name="Printer: ask for a photo",
        body="Hello {requester}, could you send a photo of the printer's display? (#{number})",
        actions=[
            {"action": "set_field", "field": "status", "value": "pending"},
            {"action": "set_field", "field": "priority", "value": "P2"},
            {"action": "add_tags", "tags": ["printer", "awaiting-photo"]},
        ],
    )


def test_macro_sets_fields_and_replies_with_history_naming_it(personas):
    macro = printer_macro(personas.admin)
    ticket = make_ticket(personas.requester, category=personas.category)

    ticket = apply_macro(personas.l1_agent, ticket, macro)

    assert ticket.status == "pending" and ticket.priority == "P2"
    assert sorted(ticket.tags.values_list("name", flat=True)) == ["awaiting-photo", "printer"]
    reply = ticket.messages.order_by("-id").first()
    assert (
        reply.body_text
        == f"Hello Rita, could you send a photo of the printer's display? (#{ticket.number})"
    )
    assert reply.author == personas.l1_agent and reply.kind == "reply"
    assert (
        TicketEvent.objects.get(ticket=ticket, field="priority").reason
        == "macro: Printer: ask for a photo"
    )
    assert Macro.objects.get(pk=macro.pk).usage_count == 1


def test_macros_may_only_change_fields_and_tags(personas):
    with pytest.raises(ServiceError) as error:
        save_macro(
            personas.admin,
            name="bad",
            body="x",
            actions=[{"action": "call_webhook", "url": "http://x"}],
        )
    assert error.value.code == "invalid-macro"
    assert Macro.objects.count() == 0


def test_ticket_page_applies_a_macro(personas):
    macro = printer_macro(personas.admin)
    ticket = make_ticket(personas.requester, category=personas.category)
    client = Client()
    client.force_login(personas.l1_agent)

    page = client.get(f"/tickets/{ticket.number}/").content.decode()
    response = client.post(f"/tickets/{ticket.number}/macro/", {"macro": macro.pk})

    assert "Printer: ask for a photo" in page
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == "pending"


def test_macro_api(client, personas):
    macro = printer_macro(personas.admin)
    ticket = make_ticket(personas.requester, category=personas.category)

    listed = client.get("/api/v1/macros", **auth(token_for(personas.l1_agent)))
    applied = client.post(
        f"/api/v1/tickets/{ticket.pk}/macros/{macro.pk}/apply", **auth(token_for(personas.l1_agent))
    )
    refused = client.post(
        f"/api/v1/tickets/{ticket.pk}/macros/{macro.pk}/apply",
        **auth(token_for(personas.requester)),
    )
    created = client.post(
        "/api/v1/macros",
        data=json.dumps({"name": "Thanks", "body": "Thank you!"}),
        content_type="application/json",
        **auth(token_for(personas.admin)),
    )

    assert [m["name"] for m in listed.json()] == ["Printer: ask for a photo"]
    assert applied.status_code == 200 and applied.json()["status"] == "pending"
    assert refused.status_code == 403
    assert created.status_code == 201
