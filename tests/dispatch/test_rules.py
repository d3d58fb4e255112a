"""Automation rules: validation at save time, evaluation on create/update/timer, safety."""

from __future__ import annotations

import datetime as dt
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import time_machine
from django.utils import timezone

from helpline.dispatch.rule_models import Rule
from helpline.dispatch.rules import services as rules
from helpline.notifications.models import WebhookDelivery
from helpline.notifications.webhooks import deliver_webhooks, signature
from helpline.tickets import services
from helpline.tickets.choices import Status
from helpline.tickets.models import Ticket, TicketEvent
from tests.factories import auth, make_ticket, token_for

# Rules run after commit, so these tests commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _fresh_rule_cache():
    from django.core.cache import cache

    cache.delete(rules.CACHE_KEY)


def rule(admin, **fields) -> Rule:
    values = {"name": "rule", "trigger": "created", "conditions": [], "actions": []}
    values.update(fields)
    return rules.save_rule(admin, **values)


def test_created_rule_routes_and_tags_with_history_naming_the_rule(personas):
    rule(
        personas.admin,
        name="VPN to L2",
        conditions=[{"field": "subject", "op": "regex", "value": r"\b(vpn|впн)\b"}],
        actions=[
            {"action": "set_field", "field": "team", "value": "l2"},
            {"action": "add_tags", "tags": ["vpn"]},
            {"action": "set_field", "field": "priority", "value": "P2"},
        ],
    )

    ticket = make_ticket(personas.requester, subject="Не работает ВПН из дома")

    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.team == personas.l2_team
    assert ticket.priority == "P2"
    assert list(ticket.tags.values_list("name", flat=True)) == ["vpn"]
    events = TicketEvent.objects.filter(ticket=ticket, source="rule")
    assert {e.field for e in events} == {"team", "tags", "priority"}
    assert {e.reason for e in events} == {"rule: VPN to L2"}


def test_rule_that_does_not_match_changes_nothing(personas):
    rule(
        personas.admin,
        conditions=[{"field": "channel", "op": "eq", "value": "email"}],
        actions=[{"action": "add_tags", "tags": ["mail"]}],
    )

    ticket = make_ticket(personas.requester)

    assert ticket.tags.count() == 0
    assert ticket.events.count() == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"conditions": [{"field": "colour", "op": "eq", "value": "red"}]},
            "Unknown field 'colour'",
        ),
        (
            {"conditions": [{"field": "subject", "op": "regex", "value": "(unclosed"}]},
            "Bad regular expression",
        ),
        (
            {"conditions": [{"field": "message_count", "op": "contains", "value": "x"}]},
            "cannot be used",
        ),
        ({"actions": [{"action": "explode"}]}, "Unknown action 'explode'"),
        (
            {"actions": [{"action": "set_field", "field": "number", "value": 1}]},
            "cannot set 'number'",
        ),
        ({"trigger": "timer", "conditions": []}, "needs conditions"),
    ],
)
def test_invalid_rules_are_rejected_with_a_clear_message(client, personas, fields, message):
    body = {
        "name": "bad",
        "trigger": "created",
        "conditions": [],
        "actions": [{"action": "add_tags", "tags": ["x"]}],
    }
    body.update(fields)

    response = client.post(
        "/api/v1/rules",
        data=json.dumps(body),
        content_type="application/json",
        **auth(token_for(personas.admin)),
    )

    assert response.status_code == 422
    assert response.json()["code"] == "invalid-rule"
    assert message in response.json()["detail"]
    assert Rule.objects.count() == 0


def test_two_rules_that_would_flip_a_field_forever_are_refused(personas):
    rule(
        personas.admin,
        name="open to pending",
        trigger="updated",
        conditions=[{"field": "status", "op": "eq", "value": "open"}],
        actions=[{"action": "set_field", "field": "status", "value": "pending"}],
    )

    with pytest.raises(Exception, match="trigger each other endlessly"):
        rule(
            personas.admin,
            name="pending to open",
            trigger="updated",
            conditions=[{"field": "status", "op": "eq", "value": "pending"}],
            actions=[{"action": "set_field", "field": "status", "value": "open"}],
        )
    assert Rule.objects.count() == 1


def test_only_admins_manage_rules(client, personas):
    body = {"name": "x", "trigger": "created", "actions": [{"action": "add_tags", "tags": ["x"]}]}
    for persona in (personas.l1_agent, personas.supervisor, personas.requester):
        response = client.post(
            "/api/v1/rules",
            data=json.dumps(body),
            content_type="application/json",
            **auth(token_for(persona)),
        )
        assert response.status_code == 403
    assert Rule.objects.count() == 0


def test_a_rule_that_fails_at_run_time_is_disabled_and_the_ticket_still_created(personas):
    rule(
        personas.admin,
        name="slow regex",
        conditions=[{"field": "body", "op": "regex", "value": r"((a+)+)+b"}],
        actions=[{"action": "add_tags", "tags": ["never"]}],
    )

    ticket = make_ticket(personas.requester, body="a" * 5000)

    failed = Rule.objects.get()
    assert failed.is_active is False
    assert "took longer" in failed.last_error
    assert Ticket.objects.filter(pk=ticket.pk).exists()
    assert ticket.tags.count() == 0


def test_reply_rule_on_update_does_not_retrigger_itself(personas):
    rule(
        personas.admin,
        name="ack P1",
        trigger="updated",
        conditions=[{"field": "priority", "op": "eq", "value": "P1"}],
        actions=[{"action": "send_reply", "text": "We are on it: #{number}"}],
    )
    ticket = make_ticket(personas.requester)

    services.update_ticket(
        personas.l1_agent, ticket, {"priority": "P1", "priority_reason": "outage"}
    )

    replies = ticket.messages.filter(body_text__startswith="We are on it")
    assert replies.count() == 1
    assert replies.get().body_text == f"We are on it: #{ticket.number}"


def test_timer_rule_reminds_then_closes_pending_tickets(personas):
    rule(
        personas.admin,
        name="remind",
        trigger="timer",
        position=1,
        conditions=[
            {"field": "status", "op": "eq", "value": "pending"},
            {"field": "hours_since_updated", "op": "gte", "value": 72},
            {"field": "tags", "op": "not_contains", "value": "reminded"},
        ],
        actions=[
            {"action": "send_reply", "text": "Do you still need help?", "status": "pending"},
            {"action": "add_tags", "tags": ["reminded"]},
        ],
    )
    rule(
        personas.admin,
        name="close",
        trigger="timer",
        position=2,
        conditions=[
            {"field": "status", "op": "eq", "value": "pending"},
            {"field": "hours_since_updated", "op": "gte", "value": 72},
            {"field": "tags", "op": "contains", "value": "reminded"},
        ],
        actions=[{"action": "set_field", "field": "status", "value": "solved"}],
    )
    ticket = make_ticket(personas.requester)
    services.change_status(personas.l1_agent, ticket, Status.PENDING)
    start = timezone.now()

    assert rules.run_timer_rules(start + dt.timedelta(hours=10)) == 0
    with time_machine.travel(start + dt.timedelta(hours=73), tick=False):
        assert rules.run_timer_rules() == 1
    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING and ticket.tags.filter(name="reminded").exists()
    with time_machine.travel(start + dt.timedelta(hours=100), tick=False):
        assert rules.run_timer_rules() == 0
    with time_machine.travel(start + dt.timedelta(hours=73 + 73), tick=False):
        assert rules.run_timer_rules() == 1

    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED


def test_dry_run_shows_which_rules_would_fire_and_why(client, personas):
    rule(
        personas.admin,
        name="vip",
        conditions=[{"field": "organization", "op": "eq", "value": "Acme"}],
        actions=[{"action": "add_tags", "tags": ["vip"]}],
    )
    rule(
        personas.admin,
        name="email only",
        conditions=[{"field": "channel", "op": "eq", "value": "email"}],
        actions=[{"action": "add_tags", "tags": ["mail"]}],
    )
    ticket = make_ticket(personas.requester)

    response = client.get(
        f"/api/v1/tickets/{ticket.pk}/rules/dry-run", **auth(token_for(personas.supervisor))
    )

    verdicts = {v["name"]: v for v in response.json()}
    assert verdicts["vip"]["would_fire"] is True
    assert verdicts["email only"]["would_fire"] is False
    assert verdicts["email only"]["conditions"][0] == {
        "field": "channel",
        "op": "eq",
        "expected": "email",
        "actual": "api",
        "matched": False,
    }


class _Hook(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802 - http.server hook name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.headers["X-Helpline-Signature"], body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_webhook_action_posts_signed_json_once(personas):
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Hook.received = []
    try:
        rule(
            personas.admin,
            name="hook",
            actions=[
                {"action": "call_webhook", "url": f"http://127.0.0.1:{server.server_port}/hook"}
            ],
        )
        ticket = make_ticket(personas.requester)

        assert deliver_webhooks() == {"sent": 1, "retried": 0, "failed": 0}
        assert deliver_webhooks() == {"sent": 0, "retried": 0, "failed": 0}
    finally:
        server.shutdown()

    [(sig, body)] = _Hook.received
    assert json.loads(body)["ticket"]["number"] == ticket.number
    assert sig == f"sha256={signature(body)}"
    assert WebhookDelivery.objects.get().status == "sent"
