"""Macros (canned responses): several field changes plus a reply, through the services."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from helpline.accounts.models import User
from helpline.core.problems import Forbidden, ServiceError
from helpline.dispatch.rule_models import Macro
from helpline.dispatch.rules.actions import validate_action
from helpline.dispatch.rules.conditions import RuleError
from helpline.dispatch.rules.services import _resolve
from helpline.tickets import services
from helpline.tickets.models import Ticket

MACRO_ACTIONS = frozenset({"set_field", "add_tags", "remove_tags"})


def validate_macro_actions(actions) -> list[dict]:
    if not isinstance(actions, list):
        raise RuleError("Field changes must be a list.")
    cleaned = [validate_action(a) for a in actions]
    for action in cleaned:
        if action["action"] not in MACRO_ACTIONS:
            raise RuleError(f"A macro can only set fields and tags, not {action['action']!r}.")
    return cleaned


@transaction.atomic
def save_macro(actor: User, *, macro: Macro | None = None, **fields) -> Macro:
    if not actor.is_admin:
        raise Forbidden("Only administrators manage macros.")
    macro = macro or Macro()
    for name in ("name", "body", "as_note", "is_active"):
        if name in fields:
            setattr(macro, name, fields[name])
    try:
        macro.actions = validate_macro_actions(fields.get("actions", macro.actions))
    except RuleError as exc:
        raise ServiceError(str(exc), code="invalid-macro", status=422) from exc
    if not macro.body.strip() and not macro.actions:
        raise ServiceError(
            "A macro needs a text or field changes.", code="invalid-macro", status=422
        )
    macro.save()
    return macro


def _fill(text: str, ticket: Ticket) -> str:
    return (
        text.replace("{number}", str(ticket.number))
        .replace("{subject}", ticket.subject)
        .replace("{requester}", ticket.requester.get_short_name())
    )


@transaction.atomic
def apply_macro(actor: User, ticket: Ticket, macro: Macro) -> Ticket:
    """Apply the macro's field changes, then post its text, as the agent who chose it."""
    if not actor.is_agent:
        raise Forbidden("Only agents apply macros.")
    if not macro.is_active:
        raise ServiceError("This macro is switched off.", code="macro-inactive", status=409)
    changes: dict = {}
    tags = {t.name for t in ticket.tags.all()}
    for action in macro.actions:
        if action["action"] == "set_field":
            changes[action["field"]] = _resolve(action["field"], action["value"])
            if action["field"] == "priority":
                changes["priority_reason"] = f"macro: {macro.name}"
        elif action["action"] == "add_tags":
            tags |= {t.strip().lower() for t in action["tags"]}
            changes["tags"] = sorted(tags)
        elif action["action"] == "remove_tags":
            tags -= {t.strip().lower() for t in action["tags"]}
            changes["tags"] = sorted(tags)
    status = changes.pop("status", None)
    if changes:
        ticket = services.update_ticket(
            actor, ticket, changes, reason=f"macro: {macro.name}", source="macro"
        )
    if macro.body.strip():
        services.add_message(
            actor,
            ticket,
            body=_fill(macro.body, ticket),
            kind="note" if macro.as_note else "reply",
            channel="agent",
            status=status,
        )
    elif status:
        services.change_status(actor, ticket, status, reason=f"macro: {macro.name}", source="macro")
    Macro.objects.filter(pk=macro.pk).update(usage_count=F("usage_count") + 1)
    return Ticket.objects.get(pk=ticket.pk)
