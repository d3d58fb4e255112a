"""Request-level guards and per-user preferences."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.contrib.messages.middleware import MessageMiddleware
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.views.defaults import bad_request

from helpline.core.problems import problem_response


class RequestSizeLimitMiddleware:
    """Refuse API bodies above API_MAX_BODY_BYTES before anything reads them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = request.META.get("CONTENT_LENGTH") or "0"
        try:
            size = int(length)
        except ValueError:
            size = 0
        if size > settings.API_MAX_BODY_BYTES:
            return problem_response(
                413,
                "payload-too-large",
                "Request body too large",
                f"The request body is {size} bytes; the limit is {settings.API_MAX_BODY_BYTES} bytes.",
            )
        return self.get_response(request)


class UserPreferencesMiddleware:
    """Activate the signed-in user's language and time zone for this request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            if user.language and not request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME):
                translation.activate(user.language)
                request.LANGUAGE_CODE = user.language
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        response = self.get_response(request)
        timezone.deactivate()
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # A number beyond 64 bits in a page's query (`/tickets/?team=10**30`) cannot even be
        # bound on SQLite: the request is bad, not the server. (The API answers problem+json
        # through its own handler and never gets here.)
        if isinstance(exception, OverflowError):
            return bad_request(request, exception)
        return None


class PageMessagesMiddleware(MessageMiddleware):
    """Django's flash messages, for pages only.

    The API never shows a flash message, and setting up their storage (a cookie
    signer and the session backend) on each call was a measurable share of an API
    request. Under /api/ `messages.add_message` would raise MessageFailure.
    """

    def process_request(self, request: HttpRequest) -> None:
        if not request.path_info.startswith("/api/"):
            super().process_request(request)
