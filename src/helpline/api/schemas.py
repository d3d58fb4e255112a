"""Base for request schemas: unknown fields are refused, and so are NUL characters.

PostgreSQL cannot store NUL in text while SQLite can; refusing it in every request keeps
the two databases answering alike (422, never a 500).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, field_validator


def _contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple | set):
        return any(_contains_nul(item) for item in value)
    return False


class StrictIn(BaseModel):
    """A request body: unknown fields and NUL characters are validation errors."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _refuse_nul(cls, value: Any) -> Any:
        if _contains_nul(value):
            raise ValueError("must not contain NUL characters")
        return value
