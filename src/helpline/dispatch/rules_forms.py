"""The rule form: its plain fields, and the condition and action rows of the builder.

The choices come from the rules engine (conditions.OPERATORS and the field sets,
actions.ACTIONS and SETTABLE_FIELDS); rows are checked by the engine's own validators,
so the form says exactly what the API would say.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from helpline.dispatch.rule_models import Rule, RuleTrigger
from helpline.dispatch.rules.actions import ACTIONS, SETTABLE_FIELDS, validate_action
from helpline.dispatch.rules.conditions import (
    BOOL_FIELDS,
    CUSTOM_PREFIX,
    LIST_FIELDS,
    NUMBER_FIELDS,
    OPERATORS,
    TEXT_FIELDS,
    RuleError,
    field_kind,
    validate_condition,
)
from helpline.tickets.choices import Status

CUSTOM = CUSTOM_PREFIX + "*"  # the builder's "custom field..." choice; the key is typed
NO_VALUE_OPS = frozenset({"is_set", "is_not_set"})
LIST_VALUE_OPS = frozenset({"in", "not_in"})
MAX_CONDITIONS = 50  # the API's limits (RuleIn)
MAX_ACTIONS = 20
MAX_ROWS = 100  # rows read from a POST at most; more than the limits, so the limit message shows

KIND_LABELS = {
    "text": _("Text"),
    "number": _("Number"),
    "bool": _("Yes or no"),
    "list": _("List"),
}
OPERATOR_LABELS = {
    "eq": _("is"),
    "ne": _("is not"),
    "in": _("is one of"),
    "not_in": _("is none of"),
    "contains": _("contains"),
    "not_contains": _("does not contain"),
    "regex": _("matches the regular expression"),
    "is_set": _("is set"),
    "is_not_set": _("is not set"),
    "gt": _("is more than"),
    "gte": _("is at least"),
    "lt": _("is less than"),
    "lte": _("is at most"),
}
ACTION_LABELS = {
    "set_field": _("Set a field"),
    "add_tags": _("Add tags"),
    "remove_tags": _("Remove tags"),
    "add_note": _("Add an internal note"),
    "send_reply": _("Send a reply"),
    "notify": _("Notify by e-mail"),
    "call_webhook": _("Call a webhook"),
}
# Which inputs of an action row each action uses; an action the engine adds later
# without an entry here shows every input.
ACTION_PARAMS = {
    "set_field": ("field", "value"),
    "add_tags": ("tags",),
    "remove_tags": ("tags",),
    "add_note": ("text",),
    "send_reply": ("text", "status"),
    "notify": ("to", "subject", "text"),
    "call_webhook": ("url",),
}
ALL_PARAMS = ("field", "value", "tags", "to", "subject", "text", "status", "url")
TRUE_WORDS = frozenset({"true", "yes", "1", "да"})
FALSE_WORDS = frozenset({"false", "no", "0", "нет"})


class RuleForm(forms.Form):
    """A rule's own fields; conditions and actions come from the builder rows."""

    name = forms.CharField(label=_("Name"), max_length=200)
    trigger = forms.ChoiceField(label=_("Runs"), choices=RuleTrigger.choices)
    match = forms.ChoiceField(
        label=_("Fires when"),
        choices=[("all", _("all conditions hold")), ("any", _("any condition holds"))],
    )
    position = forms.IntegerField(
        label=_("Order"),
        min_value=0,
        max_value=100000,
        initial=100,
        help_text=_("Lower runs first among the rules of the same trigger."),
    )
    stop_processing = forms.BooleanField(label=_("Stop after this rule"), required=False)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    @classmethod
    def for_rule(cls, rule: Rule) -> RuleForm:
        return cls(
            initial={
                "name": rule.name,
                "trigger": rule.trigger,
                "match": rule.match,
                "position": rule.position,
                "stop_processing": rule.stop_processing,
                "is_active": rule.is_active,
            }
        )


# --- choices from the engine --------------------------------------------------------


def condition_field_groups() -> list[tuple[str, list[tuple[str, str]]]]:
    """(group label, [(field, kind)]) for the field <select>, grouped by the kind of value."""
    groups = []
    for kind, fields in (
        ("text", TEXT_FIELDS),
        ("number", NUMBER_FIELDS),
        ("bool", BOOL_FIELDS),
        ("list", LIST_FIELDS),
    ):
        groups.append((str(KIND_LABELS[kind]), [(name, kind) for name in sorted(fields)]))
    return groups


def operator_choices() -> list[dict[str, Any]]:
    """Every operator once, with the kinds of field it fits (the script hides the others)."""
    order = list(OPERATOR_LABELS)
    ops = sorted(
        {op for ops in OPERATORS.values() for op in ops},
        key=lambda op: (order.index(op) if op in order else len(order), op),
    )
    return [
        {
            "value": op,
            "label": str(OPERATOR_LABELS.get(op, op)),
            "kinds": " ".join(sorted(kind for kind, allowed in OPERATORS.items() if op in allowed)),
        }
        for op in ops
    ]


def action_choices() -> list[dict[str, str]]:
    return [
        {
            "value": action,
            "label": str(ACTION_LABELS.get(action, action)),
            "params": " ".join(ACTION_PARAMS.get(action, ALL_PARAMS)),
        }
        for action in sorted(ACTIONS, key=lambda a: (list(ACTION_LABELS) + [a]).index(a))
    ]


def builder_context() -> dict[str, Any]:
    """What the condition and action row templates need to draw their <select>s."""
    return {
        "field_groups": condition_field_groups(),
        "operators": operator_choices(),
        "action_choices": action_choices(),
        "settable_fields": sorted(SETTABLE_FIELDS),
        "statuses": Status.choices,
        "custom_choice": CUSTOM,
    }


def op_label(op: str) -> str:
    return str(OPERATOR_LABELS.get(op, op))


def action_label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


# --- rows <-> the JSON the engine stores -------------------------------------------


@dataclass
class Row:
    """One builder row as typed (so a rejected form comes back as it was), and its error."""

    values: dict[str, str]
    error: str = ""
    clean: dict[str, Any] = field(default_factory=dict)
    kind: str = "text"  # a condition row's kind of field: which operators to offer
    params: tuple[str, ...] = ()  # an action row's inputs in use

    @classmethod
    def for_condition(cls, values: dict[str, str]) -> Row:
        name = CUSTOM_PREFIX if values.get("field") == CUSTOM else values.get("field", "")
        return cls(values, kind=field_kind(name) or "text")

    @classmethod
    def for_action(cls, values: dict[str, str]) -> Row:
        action = values.get("action") or action_choices()[0]["value"]
        return cls(values, params=ACTION_PARAMS.get(action, ALL_PARAMS))


def display_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _split_custom(name: str) -> tuple[str, str]:
    if name.startswith(CUSTOM_PREFIX):
        return CUSTOM, name[len(CUSTOM_PREFIX) :]
    return name, ""


def condition_rows(conditions: list[dict]) -> list[Row]:
    rows = []
    for condition in conditions:
        name, key = _split_custom(condition.get("field", ""))
        rows.append(
            Row.for_condition(
                {
                    "field": name,
                    "key": key,
                    "op": condition.get("op", ""),
                    "value": display_value(condition.get("value")),
                }
            )
        )
    return rows


def action_rows(actions: list[dict]) -> list[Row]:
    rows = []
    for action in actions:
        name, key = _split_custom(action.get("field", ""))
        values = {param: display_value(action.get(param, "")) for param in ALL_PARAMS}
        values.update(action=action.get("action", ""), field=name, key=key)
        rows.append(Row.for_action(values))
    return rows


def _posted_rows(data: QueryDict, prefix: str, names: tuple[str, ...]) -> list[dict[str, str]]:
    columns = {name: data.getlist(f"{prefix}_{name}") for name in names}
    count = min(len(columns[names[0]]), MAX_ROWS)
    return [
        {name: (column[i] if i < len(column) else "").strip() for name, column in columns.items()}
        for i in range(count)
    ]


def _typed_value(kind: str | None, op: str, raw: str) -> Any:
    """The typed value a condition needs; unparseable text is passed on for the validator."""
    if op in LIST_VALUE_OPS:
        return [part.strip() for part in raw.split(",") if part.strip()]
    if kind == "number":
        try:
            number = float(raw.replace(",", "."))
        except ValueError:
            return raw
        return int(number) if number.is_integer() else number
    if kind == "bool":
        word = raw.lower()
        return True if word in TRUE_WORDS else False if word in FALSE_WORDS else raw
    return raw


def _field_name(values: dict[str, str]) -> str:
    if values["field"] == CUSTOM:
        return CUSTOM_PREFIX + values["key"]
    return values["field"]


def parse_conditions(data: QueryDict) -> list[Row]:
    """Condition rows from the POST, each validated by the engine's validate_condition."""
    rows = []
    for values in _posted_rows(data, "c", ("field", "key", "op", "value")):
        name = _field_name(values)
        condition: dict[str, Any] = {"field": name, "op": values["op"]}
        if values["op"] not in NO_VALUE_OPS:
            condition["value"] = _typed_value(field_kind(name), values["op"], values["value"])
        rows.append(_checked(Row.for_condition(values), validate_condition, condition))
    return rows


def parse_actions(data: QueryDict) -> list[Row]:
    """Action rows from the POST, each validated by the engine's validate_action."""
    rows = []
    for values in _posted_rows(data, "a", ("action", "key", *ALL_PARAMS)):
        kind = values["action"]
        action: dict[str, Any] = {"action": kind}
        for param in ACTION_PARAMS.get(kind, ALL_PARAMS):
            if param == "field":
                action["field"] = _field_name(values)
            elif param == "tags":
                action["tags"] = [t.strip() for t in values["tags"].split(",") if t.strip()]
            elif param in ("subject", "status") and not values[param]:
                continue
            else:
                action[param] = values[param]
        rows.append(_checked(Row.for_action(values), validate_action, action))
    return rows


def _checked(row: Row, validator, item: dict[str, Any]) -> Row:
    try:
        row.clean = validator(item)
    except RuleError as exc:
        row.error = str(exc)
    return row
