"""Authorisation matrix rows for the rules endpoints (collected by tests/api)."""

from __future__ import annotations

from helpline.dispatch.rule_models import Rule
from tests.api.matrix_world import Row, admin_only, on_ticket, staff_only


def _existing_rule(world) -> None:
    Rule.objects.get_or_create(
        name="matrix rule",
        defaults={"trigger": "created", "actions": [{"action": "add_tags", "tags": ["m"]}]},
    )


def _rule_url(world) -> str:
    return f"/rules/{Rule.objects.get(name='matrix rule').pk}"


NEW_RULE = {
    "name": "tag printers",
    "trigger": "created",
    "conditions": [{"field": "category", "op": "eq", "value": "printers"}],
    "actions": [{"action": "add_tags", "tags": ["printer"]}],
}

ROWS = [
    Row("GET", "/rules", staff_only(200), lambda w: "/rules"),
    Row("POST", "/rules", admin_only(201), lambda w: "/rules", lambda w, p: NEW_RULE),
    Row(
        "PATCH",
        "/rules/{rule_id}",
        admin_only(200),
        _rule_url,
        lambda w, p: {"position": 5},
        given=_existing_rule,
    ),
    Row(
        "GET",
        "/tickets/{ticket_id}/rules/dry-run",
        on_ticket(200, requester=404, colleague=404),
        lambda w: f"/tickets/{w.ticket.pk}/rules/dry-run",
    ),
]

ROWS += [
    Row(
        "POST",
        "/tickets/{ticket_id}/escalate",
        on_ticket(200, requester=403, colleague=403),
        lambda w: f"/tickets/{w.ticket.pk}/escalate",
        lambda w, p: {"tier": "L2", "reason": "needs a specialist"},
    ),
]

ROWS += [
    Row(
        "POST", "/presence", staff_only(200), lambda w: "/presence", lambda w, p: {"status": "away"}
    ),
    Row(
        "GET",
        "/supervisor/overview",
        staff_only(200, l1_agent=403, l2_agent=403, agent_other_team=403),
        lambda w: "/supervisor/overview",
    ),
    Row(
        "GET",
        "/teams/{team_id}/handover-notes",
        staff_only(200),
        lambda w: f"/teams/{w.p.l1_team.pk}/handover-notes",
    ),
    Row(
        "POST",
        "/teams/{team_id}/handover-notes",
        staff_only(201),
        lambda w: f"/teams/{w.p.l1_team.pk}/handover-notes",
        lambda w, p: {"text": "Printer 3 is flaky"},
    ),
]

ROWS += [
    Row(
        "POST",
        "/tickets/{ticket_id}/messages/{message_id}/split",
        on_ticket(201, requester=403, colleague=403),
        lambda w: (
            f"/tickets/{w.ticket.pk}/messages/{w.ticket.messages.order_by('id').first().pk}/split"
        ),
        lambda w, p: {"subject": "Second problem"},
    ),
]


def _existing_macro(world) -> None:
    from helpline.dispatch.rule_models import Macro

    Macro.objects.get_or_create(name="matrix macro", defaults={"body": "We are on it."})


def _macro_apply_url(world) -> str:
    from helpline.dispatch.rule_models import Macro

    return f"/tickets/{world.ticket.pk}/macros/{Macro.objects.get(name='matrix macro').pk}/apply"


ROWS += [
    Row("GET", "/macros", staff_only(200), lambda w: "/macros"),
    Row(
        "POST",
        "/macros",
        admin_only(201),
        lambda w: "/macros",
        lambda w, p: {"name": "Thanks", "body": "Thank you!"},
    ),
    Row(
        "POST",
        "/tickets/{ticket_id}/macros/{macro_id}/apply",
        on_ticket(200, requester=403, colleague=403),
        _macro_apply_url,
        given=_existing_macro,
    ),
]
