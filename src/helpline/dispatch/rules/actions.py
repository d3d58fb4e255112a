"""Rule actions: what a rule may do. Validation is pure; execution goes through services."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from helpline.dispatch.rules.conditions import RuleError

SETTABLE_FIELDS = frozenset(
    {
        "status",
        "priority",
        "type",
        "category",
        "team",
        "assignee",
        "tier",
        "impact",
        "urgency",
    }
)
ACTIONS = frozenset(
    {"set_field", "add_tags", "remove_tags", "add_note", "send_reply", "notify", "call_webhook"}
)


def validate_action(action: Any) -> dict:
    if not isinstance(action, dict) or action.get("action") not in ACTIONS:
        kind = action.get("action") if isinstance(action, dict) else action
        raise RuleError(
            _("Unknown action %(action)r; use one of %(choices)s.")
            % {"action": kind, "choices": ", ".join(sorted(ACTIONS))}
        )
    kind = action["action"]
    if kind == "set_field":
        field = action.get("field")
        if field not in SETTABLE_FIELDS and not (
            isinstance(field, str) and field.startswith("custom_fields.")
        ):
            raise RuleError(_("A rule cannot set %(field)r.") % {"field": field})
        if "value" not in action:
            raise RuleError(_("set_field %(field)r needs a value.") % {"field": field})
    elif kind in ("add_tags", "remove_tags"):
        tags = action.get("tags")
        if (
            not isinstance(tags, list)
            or not tags
            or not all(isinstance(t, str) and t.strip() for t in tags)
        ):
            raise RuleError(_("%(action)s needs a non-empty list of tags.") % {"action": kind})
    elif kind in ("add_note", "send_reply"):
        if not isinstance(action.get("text"), str) or not action["text"].strip():
            raise RuleError(_("%(action)s needs a text.") % {"action": kind})
    elif kind == "notify":
        if (
            not isinstance(action.get("to"), str)
            or "@" not in action["to"]
            and action["to"] not in ("assignee", "requester", "team")
        ):
            raise RuleError(
                _("notify needs 'to': an e-mail address, 'assignee', 'requester' or 'team'.")
            )
        if not isinstance(action.get("text"), str):
            raise RuleError(_("notify needs a text."))
    elif kind == "call_webhook":
        url = action.get("url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise RuleError(_("call_webhook needs an http(s) url."))
    return dict(action)


def written_fields(actions: list[dict]) -> dict[str, Any]:
    """Field -> value that the actions set (tags as 'tags'), for loop detection."""
    written: dict[str, Any] = {}
    for action in actions:
        if action["action"] == "set_field":
            written[action["field"]] = action["value"]
        elif action["action"] in ("add_tags", "remove_tags"):
            written["tags"] = action["tags"]
    return written
