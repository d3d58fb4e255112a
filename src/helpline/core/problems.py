"""RFC 9457 problem details: the one shape every API error takes."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://helpline.dev/problems/"


class ServiceError(Exception):
    """A business rule refused an operation; services raise it, the API maps it to 4xx."""

    status = 400
    code = "invalid"

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        status: int | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if code:
            self.code = code
        if status:
            self.status = status
        self.errors = errors or []


class NotFound(ServiceError):
    status = 404
    code = "not-found"


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"


class Conflict(ServiceError):
    status = 409
    code = "conflict"


def problem_body(status: int, code: str, title: str, detail: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    body.update({key: value for key, value in extra.items() if value})
    return body


def problem_response(status: int, code: str, title: str, detail: str, **extra: Any) -> HttpResponse:
    body = problem_body(status, code, title, detail, **extra)
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, default=str),
        status=status,
        content_type=PROBLEM_CONTENT_TYPE,
    )
