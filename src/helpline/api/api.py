"""The NinjaAPI assembly: routers from each app, auth, and problem+json errors."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer

from helpline.api.auth import API_AUTH
from helpline.core.problems import ServiceError, problem_response

logger = logging.getLogger(__name__)


class UnicodeJSONRenderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    title="Helpline API",
    version="1",
    description="REST API of the Helpline service desk. Errors are RFC 9457 problem+json.",
    auth=API_AUTH,
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
    renderer=UnicodeJSONRenderer(),
)


def _validation_errors(exc: ValidationError) -> list[dict]:
    errors = []
    for error in exc.errors:
        location = [
            str(part)
            for part in error.get("loc", ())
            if part not in ("body", "payload", "query", "data")
        ]
        kind = error.get("type", "")
        message = error.get("msg", "invalid")
        if kind == "extra_forbidden":
            message = "unknown field"
        errors.append({"field": ".".join(location), "message": message, "type": kind})
    return errors


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = _validation_errors(exc)
    fields = ", ".join(e["field"] or "body" for e in errors[:5])
    return problem_response(
        422, "validation-error", "Invalid request", f"Check these fields: {fields}.", errors=errors
    )


@api.exception_handler(ServiceError)
def on_service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    titles = {
        400: "Bad request",
        401: "Not signed in",
        403: "Forbidden",
        404: "Not found",
        409: "Conflict",
        413: "Too large",
        422: "Invalid request",
    }
    return problem_response(
        exc.status, exc.code, titles.get(exc.status, "Error"), exc.detail, errors=exc.errors
    )


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = problem_response(
        401,
        "not-authenticated",
        "Not signed in",
        "Send a valid API token as 'Authorization: Bearer <token>', or sign in.",
    )
    response["WWW-Authenticate"] = 'Bearer realm="helpline"'
    return response


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = {
        400: "bad-request",
        401: "not-authenticated",
        403: "forbidden",
        404: "not-found",
        405: "method-not-allowed",
        429: "rate-limited",
    }.get(exc.status_code, "error")
    detail = str(exc)
    if exc.status_code == 400 and "parse" in detail.lower():
        code, detail = "malformed-body", "The request body is not valid JSON."
    return problem_response(exc.status_code, code, "Request refused", detail)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response(404, "not-found", "Not found", "No such resource.")


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return problem_response(403, "forbidden", "Forbidden", str(exc) or "You may not do this.")


@api.exception_handler(DjangoValidationError)
def on_model_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    return problem_response(422, "validation-error", "Invalid request", "; ".join(exc.messages))


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("unhandled API error on %s %s", request.method, request.path)
    return problem_response(
        500,
        "internal-error",
        "Internal error",
        "Something went wrong on our side; the error was logged.",
    )


def _mount_routers() -> None:
    from helpline.accounts.api import auth_router
    from helpline.accounts.api import router as accounts_router
    from helpline.tickets.api import router as tickets_router

    api.add_router("/auth", auth_router)
    api.add_router("/", accounts_router)
    api.add_router("/", tickets_router)


_mount_routers()
