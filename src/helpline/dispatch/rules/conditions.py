"""Rule conditions: what a rule may test, how, and why it matched. Pure: facts in, verdicts out."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import regex
from django.utils.translation import gettext as _

REGEX_TIMEOUT_SECONDS = 0.05
MAX_PATTERN_LENGTH = 500

TEXT_FIELDS = frozenset(
    {
        "subject",
        "body",
        "status",
        "priority",
        "type",
        "channel",
        "category",
        "team",
        "assignee",
        "tier",
        "requester.email",
        "requester.language",
        "organization",
        "impact",
        "urgency",
    }
)
NUMBER_FIELDS = frozenset({"hours_since_created", "hours_since_updated", "message_count"})
BOOL_FIELDS = frozenset({"business_hours", "organization.vip", "assigned"})
LIST_FIELDS = frozenset({"tags"})
CUSTOM_PREFIX = "custom_fields."

OPERATORS: dict[str, frozenset[str]] = {
    "text": frozenset(
        {"eq", "ne", "in", "not_in", "contains", "not_contains", "regex", "is_set", "is_not_set"}
    ),
    "number": frozenset({"eq", "ne", "gt", "gte", "lt", "lte"}),
    "bool": frozenset({"eq"}),
    "list": frozenset({"contains", "not_contains", "is_set", "is_not_set"}),
}


class RuleError(ValueError):
    """A rule definition is invalid; the message says what to fix."""


class RuleRuntimeError(RuntimeError):
    """A rule failed while running (e.g. its regular expression took too long)."""


def field_kind(field: str) -> str | None:
    if field in TEXT_FIELDS or field.startswith(CUSTOM_PREFIX):
        return "text"
    if field in NUMBER_FIELDS:
        return "number"
    if field in BOOL_FIELDS:
        return "bool"
    if field in LIST_FIELDS:
        return "list"
    return None


def validate_condition(condition: Any) -> dict:
    """The condition, checked: a known field, an operator that fits it, a usable value."""
    if not isinstance(condition, dict):
        raise RuleError(_("Each condition must be an object with field, op and value."))
    field, op = condition.get("field"), condition.get("op")
    kind = field_kind(field) if isinstance(field, str) else None
    if kind is None:
        raise RuleError(_("Unknown field %(field)r in a condition.") % {"field": field})
    if op not in OPERATORS[kind]:
        raise RuleError(
            _("Operator %(op)r cannot be used with %(field)r; use one of %(choices)s.")
            % {"op": op, "field": field, "choices": ", ".join(sorted(OPERATORS[kind]))}
        )
    value = condition.get("value")
    if op in ("is_set", "is_not_set"):
        return {"field": field, "op": op}
    if op in ("in", "not_in") and not (
        isinstance(value, list) and all(isinstance(v, str) for v in value)
    ):
        raise RuleError(_("%(field)r %(op)s needs a list of texts.") % {"field": field, "op": op})
    if kind == "number" and (isinstance(value, bool) or not isinstance(value, int | float)):
        raise RuleError(_("%(field)r needs a number.") % {"field": field})
    if kind == "bool" and not isinstance(value, bool):
        raise RuleError(_("%(field)r needs true or false.") % {"field": field})
    if kind in ("text", "list") and op not in ("in", "not_in") and not isinstance(value, str):
        raise RuleError(_("%(field)r %(op)s needs a text value.") % {"field": field, "op": op})
    if op == "regex":
        _compile(value)
    return {"field": field, "op": op, "value": value}


@functools.lru_cache(maxsize=2048)
def _compile(pattern: str):
    if len(pattern) > MAX_PATTERN_LENGTH:
        raise RuleError(
            _("The regular expression is longer than %(limit)d characters.")
            % {"limit": MAX_PATTERN_LENGTH}
        )
    try:
        return regex.compile(pattern, regex.IGNORECASE | regex.UNICODE)
    except regex.error as exc:
        raise RuleError(
            _("Bad regular expression %(pattern)r: %(error)s.") % {"pattern": pattern, "error": exc}
        ) from exc


@dataclass(frozen=True)
class ConditionResult:
    field: str
    op: str
    expected: Any
    actual: Any
    matched: bool


def _text(value: Any) -> str:
    return "" if value is None else str(value)


LOWER_KEY = "__lowercase__"  # per-ticket cache of lowercased texts, kept in the facts dict


def _lowered(facts: dict[str, Any], field: str, value: Any) -> str:
    cache = facts.setdefault(LOWER_KEY, {})
    if field not in cache:
        cache[field] = _text(value).lower()
    return cache[field]


def check(condition: dict, facts: dict[str, Any]) -> ConditionResult:
    field, op, expected = condition["field"], condition["op"], condition.get("value")
    actual = facts.get(field)
    kind = field_kind(field) or "text"
    if kind == "text" and op in ("eq", "ne", "in", "not_in", "contains", "not_contains"):
        matched = _text_matches(op, expected, _lowered(facts, field, actual))
    else:
        matched = _matches(kind, op, expected, actual)
    return ConditionResult(field, op, expected, actual, matched)


def _text_matches(op: str, expected: Any, text: str) -> bool:
    if op == "eq":
        return text == _text(expected).lower()
    if op == "ne":
        return text != _text(expected).lower()
    if op in ("in", "not_in"):
        return (text in {v.lower() for v in expected}) == (op == "in")
    return (_text(expected).lower() in text) == (op == "contains")


def _matches(kind: str, op: str, expected: Any, actual: Any) -> bool:
    if op == "is_set":
        return bool(actual)
    if op == "is_not_set":
        return not actual
    if kind == "list":
        items = {_text(item).lower() for item in actual or []}
        return (expected.lower() in items) == (op == "contains")
    if kind == "number":
        number = float(actual or 0)
        return {
            "eq": number == expected,
            "ne": number != expected,
            "gt": number > expected,
            "gte": number >= expected,
            "lt": number < expected,
            "lte": number <= expected,
        }[op]
    if kind == "bool":
        return bool(actual) == expected
    text = _text(actual)
    if op == "eq":
        return text.lower() == _text(expected).lower()
    if op == "ne":
        return text.lower() != _text(expected).lower()
    if op in ("in", "not_in"):
        return (text.lower() in {v.lower() for v in expected}) == (op == "in")
    if op in ("contains", "not_contains"):
        return (_text(expected).lower() in text.lower()) == (op == "contains")
    try:
        return _compile(expected).search(text, timeout=REGEX_TIMEOUT_SECONDS) is not None
    except TimeoutError as exc:
        raise RuleRuntimeError(
            f"The regular expression {expected!r} took longer than {REGEX_TIMEOUT_SECONDS}s."
        ) from exc


def evaluate(
    conditions: list[dict], match: str, facts: dict[str, Any]
) -> tuple[bool, list[ConditionResult]]:
    """Whether the conditions hold ('all' or 'any'), with each condition's verdict for dry runs."""
    results = [check(condition, facts) for condition in conditions]
    if not results:
        return True, results
    verdicts = [r.matched for r in results]
    return (all(verdicts) if match == "all" else any(verdicts)), results
