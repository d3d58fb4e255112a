"""Validation of administrator-defined custom field values on every write path."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _

from helpline.core.problems import ServiceError
from helpline.tickets.choices import CustomFieldType
from helpline.tickets.models import Category, CustomField


def _category_chain(category: Category | None) -> set[int]:
    ids: set[int] = set()
    while category is not None and category.pk not in ids:
        ids.add(category.pk)
        category = category.parent
    return ids


# Definitions change rarely and are read on every ticket write, so each process keeps
# them for a few seconds; saving a definition through the service clears the cache.
CACHE_KEY = "tickets:custom-field-definitions"
CACHE_SECONDS = 10


def active_definitions() -> list[CustomField]:
    definitions = cache.get(CACHE_KEY)
    if definitions is None:
        definitions = list(CustomField.objects.filter(is_active=True))
        cache.set(CACHE_KEY, definitions, CACHE_SECONDS)
    return definitions


def forget_definitions() -> None:
    cache.delete(CACHE_KEY)


def fields_for(ticket_type: str, category: Category | None) -> list[CustomField]:
    chain = _category_chain(category)
    return [f for f in active_definitions() if f.applies_to(ticket_type, chain)]


def _clean_value(field: CustomField, value: Any) -> Any:
    kind = field.field_type
    if kind == CustomFieldType.TEXT:
        if not isinstance(value, str):
            raise ValueError("must be text")
        if len(value) > 2000:
            raise ValueError("must be at most 2000 characters")
        return value
    if kind == CustomFieldType.NUMBER:
        if isinstance(value, bool):
            raise ValueError("must be a number")
        try:
            number = Decimal(str(value))
        except InvalidOperation as exc:
            raise ValueError("must be a number") from exc
        if not number.is_finite():
            raise ValueError("must be a finite number")
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == CustomFieldType.DATE:
        # Only YYYY-MM-DD: Python would also take 20260101 or 2026-W01-1.
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError("must be a date as YYYY-MM-DD")
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError as exc:
            raise ValueError("must be a date as YYYY-MM-DD") from exc
    if kind == CustomFieldType.CHOICE:
        if value not in field.choices:
            raise ValueError(f"must be one of {', '.join(map(str, field.choices))}")
        return value
    if kind == CustomFieldType.MULTI_CHOICE:
        if not isinstance(value, list) or any(item not in field.choices for item in value):
            raise ValueError(f"must be a list of values from {', '.join(map(str, field.choices))}")
        return sorted(set(value), key=field.choices.index)
    if kind == CustomFieldType.USER:
        from helpline.accounts.models import User

        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not User.objects.filter(pk=value).exists()
        ):
            raise ValueError("must be the id of an existing user")
        return value
    raise ValueError("has an unknown type")


def validate_custom_fields(
    ticket_type: str,
    category: Category | None,
    values: dict[str, Any],
    *,
    existing: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Return the cleaned, complete custom field values or raise with every problem found."""
    if not values and existing is None and not any(f.required for f in active_definitions()):
        return {}
    fields = {f.key: f for f in fields_for(ticket_type, category)}
    merged = dict(existing or {})
    merged.update(values)
    errors = []
    cleaned: dict[str, Any] = {}
    for key, value in merged.items():
        field = fields.get(key)
        if field is None:
            if key in values:
                errors.append({"field": f"custom_fields.{key}", "message": "unknown custom field"})
            continue
        if value is None or value == "" or value == []:
            continue
        try:
            cleaned[key] = _clean_value(field, value)
        except ValueError as exc:
            errors.append({"field": f"custom_fields.{key}", "message": str(exc)})
    for key, field in fields.items():
        if (
            field.required
            and key not in cleaned
            and not any(e["field"] == f"custom_fields.{key}" for e in errors)
        ):
            errors.append({"field": f"custom_fields.{key}", "message": "is required"})
    if errors:
        raise ServiceError(
            "Some custom field values are invalid.",
            code="invalid-custom-fields",
            status=422,
            errors=errors,
        )
    return cleaned


def filter_for(key: str, raw: str) -> Q:
    """The list filter `?cf_<key>=<value>`: the value is parsed by the field's type.

    Multi-choice fields match tickets whose list holds the value. Unknown keys and values
    the field could never hold are refused (400), so a typo never silently returns nothing.
    """
    field = next((f for f in active_definitions() if f.key == key), None)
    if field is None or "__" in key:
        raise ServiceError(
            _("There is no custom field %(key)r to filter on.") % {"key": key},
            code="invalid-filter",
            status=400,
        )
    lookup = f"custom_fields__{key}"
    try:
        if field.field_type == CustomFieldType.MULTI_CHOICE:
            if raw not in field.choices:
                raise ValueError(f"must be one of {', '.join(map(str, field.choices))}")
            if connection.features.supports_json_field_contains:
                return Q(**{f"{lookup}__contains": [raw]})
            # SQLite has no JSON containment: match the quoted value inside the list's text,
            # as stored (ASCII-escaped) or as the database may render it.
            return Q(**{f"{lookup}__icontains": json.dumps(raw)}) | Q(
                **{f"{lookup}__icontains": json.dumps(raw, ensure_ascii=False)}
            )
        if field.field_type == CustomFieldType.USER:
            if not raw.isdigit():
                raise ValueError("must be the id of a user")
            return Q(**{lookup: int(raw)})
        return Q(**{lookup: _clean_value(field, raw)})
    except ValueError as exc:
        raise ServiceError(
            _("cf_%(key)s %(problem)s.") % {"key": key, "problem": exc},
            code="invalid-filter",
            status=400,
            errors=[{"field": f"cf_{key}", "message": str(exc)}],
        ) from exc
