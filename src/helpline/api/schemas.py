"""Base for request schemas: unknown fields are refused, and so is text no database stores.

PostgreSQL cannot store NUL in text while SQLite can; refusing it in every request keeps
the two databases answering alike (422, never a 500).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator


def _is_storable(text: str) -> bool:
    """No NUL, and no lone surrogate (JSON may spell "\\ud800"; UTF-8 cannot store it)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _unstorable(value: Any) -> bool:
    if isinstance(value, str):
        return not _is_storable(value)
    if isinstance(value, dict):
        return any(_unstorable(k) or _unstorable(v) for k, v in value.items())
    if isinstance(value, list | tuple | set):
        return any(_unstorable(item) for item in value)
    return False


class StrictIn(BaseModel):
    """A request body: unknown fields, NUL characters and lone surrogates are validation errors."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_nul(cls, value: Any) -> Any:
        if _unstorable(value):
            raise ValueError("must not contain NUL characters or invalid Unicode")
        return value
