"""API authentication: personal bearer tokens, or the web session (with CSRF)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja.security import APIKeyHeader, HttpBearer
from ninja.security import SessionAuth as NinjaSessionAuth

from helpline.accounts.services import authenticate_token


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        api_token = authenticate_token(token)
        if api_token is None:
            return None
        request.api_token = api_token  # type: ignore[attr-defined]
        request.user = api_token.user
        return api_token.user


class TokenHeaderAuth(APIKeyHeader):
    """`Authorization: Token <key>` for clients that cannot send Bearer."""

    param_name = "X-API-Token"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not key:
            return None
        return TokenAuth().authenticate(request, key)


class SessionAuth(NinjaSessionAuth):
    """The web session; its CSRF check applies only when the session signs somebody in.

    ninja checks CSRF before looking at the session, so a script that sends no cookie and
    a wrong or missing token would get "403 CSRF check Failed" on every write instead of
    the 401 that tells it to authenticate. Without a signed-in session there is nothing for
    a forged request to ride on, so nothing to check.
    """

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)


API_AUTH = [TokenAuth(), TokenHeaderAuth(), SessionAuth()]


def require_scope(request: HttpRequest, scope: str) -> None:
    """Tokens carry scopes; sessions may do everything their user may."""
    from helpline.core.problems import Forbidden

    token = getattr(request, "api_token", None)
    if token is not None and not token.allows(scope):
        raise Forbidden(f"This token lacks the {scope!r} scope.")
