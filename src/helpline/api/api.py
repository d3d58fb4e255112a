"""The NinjaAPI assembly: routers from each app, auth, and problem+json errors."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, re_path
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer

from helpline.api.auth import API_AUTH
from helpline.core.problems import ServiceError, problem_response

logger = logging.getLogger(__name__)


class UnicodeJSONRenderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


def _has_nul(request: HttpRequest) -> bool:
    return any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in request.GET.lists()
    )


def _problem_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Wrap a ninja view: refuse NUL characters in the query, answer 405 as problem+json."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if _has_nul(request):
            return problem_response(
                400,
                "invalid-filter",
                _("Invalid query"),
                _("Query parameters must not contain NUL characters."),
            )
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith(
            "application/problem+json"
        ):
            allowed = response.get("Allow", "")
            response = problem_response(
                405,
                "method-not-allowed",
                _("Method not allowed"),
                _("This resource allows: %(methods)s.") % {"methods": allowed},
            )
            response["Allow"] = allowed
        return response

    return wrapper


def _not_found_view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    return problem_response(404, "not-found", _("Not found"), _("No such API endpoint."))


_not_found_view.csrf_exempt = True  # type: ignore[attr-defined]


class HelplineAPI(NinjaAPI):
    """NinjaAPI whose every answer, even for unknown paths and methods, is problem+json."""

    def _get_urls(self) -> list[URLPattern | URLResolver]:
        patterns = super()._get_urls()
        for pattern in patterns:
            if isinstance(pattern, URLPattern):
                pattern.callback = _problem_view(pattern.callback)
        return [*patterns, re_path(r"^.*$", _not_found_view)]


api = HelplineAPI(
    title="Helpline API",
    version="1",
    description="REST API of the Helpline service desk. Errors are RFC 9457 problem+json.",
    auth=API_AUTH,
    urls_namespace="api-v1",
    docs_url="/docs",
    openapi_url="/openapi.json",
    renderer=UnicodeJSONRenderer(),
)


_SOURCES = ("body", "query", "path", "form", "file", "header", "cookie")


def _field_path(location: tuple | list) -> str:
    """`("body", "payload", "custom_fields", "x")` -> `custom_fields.x`: where the client put it."""
    parts = [str(part) for part in location]
    if parts and parts[0] in _SOURCES:
        source = parts.pop(0)
        if source == "body" and parts and parts[0] == "payload":
            parts.pop(0)
    return ".".join(parts)


# pydantic's complaint when the JSON body is not an object at all (`[]`, `"x"`, `null`):
# its message names the schema class, which means nothing to the client.
_NOT_AN_OBJECT = frozenset({"model_type", "dict_type", "model_attributes_type"})


def _validation_errors(exc: ValidationError) -> list[dict]:
    errors = []
    for error in exc.errors:
        kind = error.get("type", "")
        message = error.get("msg", "invalid")
        field = _field_path(error.get("loc", ()))
        if kind == "extra_forbidden":
            message = "unknown field"
        elif not field and kind in _NOT_AN_OBJECT:
            message = "expected a JSON object"
        errors.append({"field": field, "message": message, "type": kind})
    return errors


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = _validation_errors(exc)
    if errors and all(not e["field"] and e["type"] in _NOT_AN_OBJECT for e in errors):
        # Not "Check these fields: body": tickets have a field called body.
        detail = _("The request body must be a JSON object.")
    else:
        fields = ", ".join(e["field"] or _("the request body") for e in errors[:5])
        detail = _("Check these fields: %(fields)s.") % {"fields": fields}
    return problem_response(422, "validation-error", _("Invalid request"), detail, errors=errors)


@api.exception_handler(ServiceError)
def on_service_error(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    titles = {
        400: _("Bad request"),
        401: _("Not signed in"),
        403: _("Forbidden"),
        404: _("Not found"),
        409: _("Conflict"),
        413: _("Too large"),
        422: _("Invalid request"),
    }
    return problem_response(
        exc.status, exc.code, titles.get(exc.status, _("Error")), exc.detail, errors=exc.errors
    )


@api.exception_handler(AuthenticationError)
def on_auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = problem_response(
        401,
        "not-authenticated",
        _("Not signed in"),
        _("Send a valid API token as 'Authorization: Bearer <token>', or sign in."),
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
        code, detail = "malformed-body", _("The request body is not valid JSON.")
    return problem_response(exc.status_code, code, _("Request refused"), detail)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return problem_response(404, "not-found", _("Not found"), _("No such resource."))


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return problem_response(403, "forbidden", _("Forbidden"), str(exc) or _("You may not do this."))


@api.exception_handler(DjangoValidationError)
def on_model_validation(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    return problem_response(422, "validation-error", _("Invalid request"), "; ".join(exc.messages))


@api.exception_handler(SuspiciousOperation)
def on_suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    # Django's own request limits (body size, number of fields or files) refused the body.
    if isinstance(exc, RequestDataTooBig):
        return problem_response(
            413,
            "payload-too-large",
            _("Request body too large"),
            _("The request body is too large."),
        )
    return problem_response(
        400, "bad-request", _("Request refused"), _("The request exceeds a server limit.")
    )


@api.exception_handler(DataError)
def on_data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
    # The database refused a value the schemas let through (out of range, too long):
    # the transaction is rolled back, so nothing was written.
    logger.warning("database refused a value on %s %s: %s", request.method, request.path, exc)
    return _invalid_value()


@api.exception_handler(OverflowError)
def on_overflow(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    # SQLite cannot even bind an integer beyond 64 bits (`?team=10**30`, `"organization_id":
    # 10**30`): the driver raises OverflowError before the query runs, where PostgreSQL would
    # answer a DataError or no rows. The same answer as a DataError, never a 500.
    logger.warning("number out of range on %s %s: %s", request.method, request.path, exc)
    return _invalid_value()


def _invalid_value() -> HttpResponse:
    return problem_response(
        422,
        "invalid-value",
        _("Invalid request"),
        _("A value is out of range or cannot be stored."),
    )


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("unhandled API error on %s %s", request.method, request.path)
    return problem_response(
        500,
        "internal-error",
        _("Internal error"),
        _("Something went wrong on our side; the error was logged."),
    )


def _mount_routers() -> None:
    from helpline.accounts.api import auth_router
    from helpline.accounts.api import router as accounts_router
    from helpline.dispatch.api import router as dispatch_router
    from helpline.dispatch.routing_api import router as routing_router
    from helpline.dispatch.rules.api import router as rules_router
    from helpline.kb.api import router as kb_router
    from helpline.sla.api import router as sla_router
    from helpline.tickets.api import router as tickets_router

    api.add_router("/auth", auth_router)
    api.add_router("/", accounts_router)
    api.add_router("/", tickets_router)
    api.add_router("/", dispatch_router)
    api.add_router("/", rules_router)
    api.add_router("/", routing_router)
    api.add_router("/", sla_router)
    api.add_router("/kb", kb_router)


_mount_routers()
