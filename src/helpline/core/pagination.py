"""Keyset (cursor) pagination: stable under inserts and fast at any depth."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from helpline.core.problems import ServiceError

# sort key -> (model field, descending)
ORDERINGS: dict[str, tuple[str, bool]] = {
    "-created": ("id", True),
    "created": ("id", False),
    "-updated": ("updated_at", True),
    "updated": ("updated_at", False),
}


@dataclass
class Page:
    items: list[Any]
    next_cursor: str | None


def _bad_cursor() -> ServiceError:
    return ServiceError(
        "The pagination cursor is not valid; start again without a cursor.",
        code="invalid-cursor",
        status=400,
    )


def encode_cursor(sort: str, value: Any, pk: int) -> str:
    if isinstance(value, dt.datetime):
        value = value.isoformat()
    raw = json.dumps({"s": sort, "v": value, "id": pk}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[Any, int]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if (
            not isinstance(data, dict)
            or data.get("s") != sort
            or not isinstance(data.get("id"), int)
        ):
            raise _bad_cursor()
        value = data["v"]
        if ORDERINGS[sort][0] == "updated_at":
            value = dt.datetime.fromisoformat(value)
        elif not isinstance(value, int):
            raise _bad_cursor()
        return value, data["id"]
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError, KeyError) as exc:
        raise _bad_cursor() from exc


def paginate(queryset: QuerySet, *, sort: str, cursor: str | None, limit: int) -> Page:
    if sort not in ORDERINGS:
        raise ServiceError(
            f"Unknown sort {sort!r}; use one of {', '.join(ORDERINGS)}.",
            code="invalid-sort",
            status=400,
        )
    if not 1 <= limit <= 200:
        raise ServiceError("limit must be between 1 and 200.", code="invalid-limit", status=400)
    field, descending = ORDERINGS[sort]
    if field == "id":
        order = ["-id"] if descending else ["id"]
    else:
        order = [f"-{field}", "-id"] if descending else [field, "id"]
    queryset = queryset.order_by(*order)
    if cursor:
        value, pk = decode_cursor(cursor, sort)
        op = "lt" if descending else "gt"
        if field == "id":
            queryset = queryset.filter(**{f"id__{op}": pk})
        else:
            queryset = queryset.filter(
                Q(**{f"{field}__{op}": value}) | Q(**{field: value, f"id__{op}": pk})
            )
    rows = list(queryset[: limit + 1])
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_cursor(sort, getattr(last, field), last.pk)
    return Page(rows, next_cursor)
