"""API authentication: token exchange, scopes, expiry, revocation, and the session with CSRF."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from helpline.accounts.models import ApiToken, hash_token
from helpline.tickets.models import Category, Ticket
from tests.api.matrix_world import build_world, snapshot
from tests.factories import PASSWORD, auth, make_ticket, token_for

pytestmark = pytest.mark.django_db


def exchange(client, email: str, password: str = PASSWORD, **extra):
    return client.post(
        "/api/v1/auth/token",
        data=json.dumps({"email": email, "password": password, **extra}),
        content_type="application/json",
    )


def post_ticket(client, token: str):
    return client.post(
        "/api/v1/tickets",
        data=json.dumps({"subject": "Scanner", "body": "offline"}),
        content_type="application/json",
        **auth(token),
    )


def test_exchanged_token_is_stored_hashed_and_shown_once(client, personas):
    response = exchange(client, personas.requester.email, name="laptop", scopes=["tickets:read"])

    assert response.status_code == 201
    body = response.json()
    raw = body["token"]
    assert raw.startswith("hl_")
    token = ApiToken.objects.get(pk=body["id"])
    assert token.key_hash == hash_token(raw)
    assert raw not in json.dumps(list(ApiToken.objects.values()), default=str)
    assert (body["name"], body["scopes"], body["hint"]) == ("laptop", ["tickets:read"], raw[:10])
    listed = client.get("/api/v1/auth/tokens", **auth(raw)).json()
    assert [t["id"] for t in listed] == [token.pk]
    assert listed[0]["token"] is None


def test_tokens_list_only_shows_my_own(client, personas):
    mine = token_for(personas.requester)
    token_for(personas.other_requester)

    listed = client.get("/api/v1/auth/tokens", **auth(mine)).json()

    assert {t["hint"] for t in listed} == {mine[:10]}


@pytest.mark.parametrize(
    ("email", "password", "extra", "status", "code"),
    [
        ("rita@acme.example", "wrong", {}, 401, "invalid-credentials"),
        ("nobody@acme.example", PASSWORD, {}, 401, "invalid-credentials"),
        ("rita@acme.example", PASSWORD, {"scopes": ["tickets:delete"]}, 400, "invalid-scope"),
        ("rita@acme.example", PASSWORD, {"scopes": ["admin"]}, 403, "forbidden"),
        ("rita@acme.example", PASSWORD, {"expires_in_days": 0}, 422, "validation-error"),
    ],
)
def test_refused_exchanges_issue_no_token(client, personas, email, password, extra, status, code):
    before = ApiToken.objects.count()

    response = exchange(client, email, password, **extra)

    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == code
    assert ApiToken.objects.count() == before


def test_deactivated_user_cannot_exchange_or_use_a_token(client, personas):
    raw = token_for(personas.requester)
    personas.requester.is_active = False
    personas.requester.save()

    assert exchange(client, personas.requester.email).status_code == 401
    assert client.get("/api/v1/users/me", **auth(raw)).status_code == 401


def test_read_only_token_cannot_write(client, personas):
    world = build_world(personas)
    token = token_for(personas.l1_agent, ["tickets:read"])
    before = snapshot()
    base = f"/api/v1/tickets/{world.ticket.pk}"

    refused = [
        post_ticket(client, token),
        client.patch(
            base, data='{"impact": "high"}', content_type="application/json", **auth(token)
        ),
        client.post(
            f"{base}/messages",
            data='{"body": "hi"}',
            content_type="application/json",
            **auth(token),
        ),
        client.post(
            f"{base}/merge",
            data=json.dumps({"into_id": world.second_ticket.pk}),
            content_type="application/json",
            **auth(token),
        ),
        client.post(
            "/api/v1/users",
            data='{"email": "new@acme.example"}',
            content_type="application/json",
            **auth(token),
        ),
    ]

    for response in refused:
        assert response.status_code == 403, response.content
        assert response.json()["code"] == "forbidden"
        assert "tickets:write" in response.json()["detail"]
    assert snapshot() == before
    assert client.get(base, **auth(token)).status_code == 200
    assert client.get(f"{base}/messages", **auth(token)).status_code == 200


def test_admin_endpoints_need_the_admin_scope_even_for_an_admin(client, personas):
    token = token_for(personas.admin, ["tickets:read", "tickets:write"])
    before = Category.objects.count()

    response = client.post(
        "/api/v1/categories",
        data='{"name": "Network", "slug": "network"}',
        content_type="application/json",
        **auth(token),
    )

    assert response.status_code == 403
    assert "admin" in response.json()["detail"]
    assert Category.objects.count() == before
    admin_token = token_for(personas.admin, ["admin"])
    assert (
        client.post(
            "/api/v1/categories",
            data='{"name": "Network", "slug": "network"}',
            content_type="application/json",
            **auth(admin_token),
        ).status_code
        == 201
    )


def test_revoked_and_expired_tokens_are_refused(client, personas):
    revoked = token_for(personas.requester)
    expired = token_for(personas.requester)
    ApiToken.objects.filter(hint=revoked[:10]).update(revoked_at=timezone.now())
    ApiToken.objects.filter(hint=expired[:10]).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )

    for raw in (revoked, expired, "hl_made-up", "not-even-a-prefix"):
        response = client.get("/api/v1/users/me", **auth(raw))
        assert response.status_code == 401
        assert response["Content-Type"] == "application/problem+json"
        assert response["WWW-Authenticate"] == 'Bearer realm="helpline"'


def test_revoking_someone_elses_token_is_404_and_changes_nothing(client, personas):
    theirs = token_for(personas.requester)
    token_id = ApiToken.objects.get(hint=theirs[:10]).pk
    attacker = token_for(personas.l1_agent)

    response = client.delete(f"/api/v1/auth/tokens/{token_id}", **auth(attacker))

    assert response.status_code == 404
    assert ApiToken.objects.get(pk=token_id).revoked_at is None
    assert client.get("/api/v1/users/me", **auth(theirs)).status_code == 200


def test_x_api_token_header_works_like_bearer(client, personas):
    raw = token_for(personas.requester)

    response = client.get("/api/v1/users/me", HTTP_X_API_TOKEN=raw)

    assert response.json()["email"] == personas.requester.email


def test_session_writes_need_the_csrf_token(personas):
    browser = Client(enforce_csrf_checks=True)
    assert browser.login(email=personas.requester.email, password=PASSWORD)

    refused = browser.post(
        "/api/v1/tickets",
        data=json.dumps({"subject": "Scanner", "body": "offline"}),
        content_type="application/json",
    )

    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    assert Ticket.objects.count() == 0
    csrf_value = "k" * 32  # the web UI reads Django's csrftoken cookie and echoes it
    browser.cookies["csrftoken"] = csrf_value
    accepted = browser.post(
        "/api/v1/tickets",
        data=json.dumps({"subject": "Scanner", "body": "offline"}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=csrf_value,
    )
    assert accepted.status_code == 201
    assert Ticket.objects.count() == 1


@pytest.mark.parametrize(
    "headers",
    [{}, {"HTTP_AUTHORIZATION": "Bearer hl_not-a-token"}, {"HTTP_X_API_TOKEN": "hl_nope"}],
    ids=["no-token", "unknown-bearer", "unknown-header-token"],
)
def test_writes_without_a_valid_token_or_session_are_401_not_csrf_403(personas, headers):
    # A script (no cookies) with a missing or wrong token must be told to authenticate,
    # as docs/api.md says, not "CSRF check Failed" as if it were a browser.
    script = Client(enforce_csrf_checks=True)

    response = script.post(
        "/api/v1/tickets",
        data=json.dumps({"subject": "Scanner", "body": "offline"}),
        content_type="application/json",
        **headers,
    )

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not-authenticated"
    assert 'Bearer realm="helpline"' in response["WWW-Authenticate"]
    assert Ticket.objects.count() == 0


def test_session_reads_need_no_csrf_token(personas):
    ticket = make_ticket(personas.requester)
    browser = Client(enforce_csrf_checks=True)
    assert browser.login(email=personas.requester.email, password=PASSWORD)

    response = browser.get(f"/api/v1/tickets/{ticket.pk}")

    assert response.status_code == 200
