"""Every API endpoint against every persona: the exact status, and nothing written when denied.

The target of each call is the requester's ticket (routed to the L1 team), its messages
and attachments, the requester's own account and organization. So "other_requester",
"l2_agent" and "agent_other_team" attack somebody else's ids: they must get 404, never
403, so that ids do not leak. A new endpoint without a row here fails
`test_matrix_covers_every_endpoint`.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from helpline.api.api import api
from tests.api.matrix_world import (
    PERSONAS,
    Row,
    World,
    admin_only,
    app_rows,
    build_world,
    expect,
    on_ticket,
    snapshot,
)
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

API = "/api/v1"
PROBLEM_KEYS = {"type", "title", "status", "detail", "code"}

AGENT_ON_TICKET_ONLY = {"requester": 403, "colleague": 403}


def _credentials(w: World, persona: str) -> dict[str, Any]:
    if persona == "anonymous":
        return {"email": w.p.requester.email, "password": "not-the-password"}
    return {"email": w.user(persona).email, "password": PASSWORD}


def _upload(w: World, persona: str) -> dict[str, Any]:
    return {"file": ("screenshot.txt", b"what I see on screen")}


STAFF_ONLY = {"requester": 403, "other_requester": 403, "colleague": 403}


def _sla_default_ids() -> tuple[int, int]:
    """The default SLA policy and its calendar (seeded by the sla migrations)."""
    from helpline.sla.services import ensure_default_policy

    policy = ensure_default_policy()
    return policy.pk, policy.calendar_id


def _someone_else(w: World, persona: str) -> int:
    return (w.p.requester if persona == "other_requester" else w.p.other_requester).pk


CORE_ROWS: list[Row] = [
    # --- auth ---------------------------------------------------------------------
    Row("POST", "/auth/token", expect(201, anonymous=401), lambda w: "/auth/token", _credentials),
    Row("GET", "/auth/tokens", expect(200), lambda w: "/auth/tokens"),
    Row(
        "DELETE",
        "/auth/tokens/{token_id}",
        expect(404, requester=204, admin=204),
        lambda w: f"/auth/tokens/{w.spare_token.pk}",
    ),
    # --- people -------------------------------------------------------------------
    Row("GET", "/users/me", expect(200), lambda w: "/users/me"),
    Row("GET", "/users", expect(200), lambda w: "/users"),
    Row(
        "POST",
        "/users",
        expect(201, requester=403, other_requester=403, colleague=403),
        lambda w: "/users",
        lambda w, p: {"email": "caller@acme.example", "full_name": "A Caller"},
        variant="requester",
    ),
    Row(
        "POST",
        "/users",
        admin_only(201),
        lambda w: "/users",
        lambda w, p: {"email": "dave@helpline.test", "role": "agent", "tier": "L1"},
        variant="agent",
    ),
    Row(
        "GET",
        "/users/{user_id}",
        expect(200, other_requester=404, colleague=404),
        lambda w: f"/users/{w.p.requester.pk}",
    ),
    Row(
        "PATCH",
        "/users/{user_id}",
        expect(403, requester=200, admin=200, other_requester=404, colleague=404),
        lambda w: f"/users/{w.p.requester.pk}",
        lambda w, p: {"full_name": "Rita R."},
    ),
    Row(
        "PATCH",
        "/users/{user_id}",
        admin_only(200, other_requester=404, colleague=404),
        lambda w: f"/users/{w.p.requester.pk}",
        lambda w, p: {"role": "admin"},
        variant="role",
    ),
    Row("GET", "/organizations", expect(200), lambda w: "/organizations"),
    Row(
        "GET",
        "/organizations/{org_id}",
        expect(200, other_requester=404),
        lambda w: f"/organizations/{w.p.organization.pk}",
    ),
    Row(
        "POST",
        "/organizations",
        admin_only(201),
        lambda w: "/organizations",
        lambda w, p: {"name": "Globex", "domain": "globex.example"},
    ),
    Row(
        "PATCH",
        "/organizations/{org_id}",
        admin_only(200, other_requester=404),
        lambda w: f"/organizations/{w.p.organization.pk}",
        lambda w, p: {"is_vip": True},
    ),
    Row("GET", "/teams", expect(200), lambda w: "/teams"),
    Row("GET", "/teams/{team_id}", expect(200), lambda w: f"/teams/{w.p.l1_team.pk}"),
    Row(
        "POST",
        "/teams",
        admin_only(201),
        lambda w: "/teams",
        lambda w, p: {"name": "Network", "slug": "network", "tier": "L2"},
    ),
    Row(
        "PATCH",
        "/teams/{team_id}",
        admin_only(200),
        lambda w: f"/teams/{w.p.l1_team.pk}",
        lambda w, p: {"member_ids": [w.p.l1_agent.pk, w.p.l2_agent.pk]},
    ),
    # --- tickets ------------------------------------------------------------------
    Row(
        "POST",
        "/tickets",
        expect(201),
        lambda w: "/tickets",
        lambda w, p: {"subject": "Mouse is dead", "body": "No light at all"},
    ),
    Row(
        "POST",
        "/tickets",
        expect(201, requester=403, other_requester=403, colleague=403),
        lambda w: "/tickets",
        lambda w, p: {"subject": "On behalf", "body": "x", "requester_id": _someone_else(w, p)},
        variant="for someone else",
    ),
    Row("GET", "/tickets", expect(200), lambda w: "/tickets"),
    Row("GET", "/tickets/{ticket_id}", on_ticket(200), lambda w: f"/tickets/{w.ticket.pk}"),
    Row(
        "PATCH",
        "/tickets/{ticket_id}",
        on_ticket(200, **AGENT_ON_TICKET_ONLY),
        lambda w: f"/tickets/{w.ticket.pk}",
        lambda w, p: {"impact": "high", "reason": "whole floor affected"},
    ),
    Row(
        "PATCH",
        "/tickets/{ticket_id}",
        on_ticket(200, colleague=403),  # a shared ticket is the requester's to solve
        lambda w: f"/tickets/{w.ticket.pk}",
        lambda w, p: {"status": "solved"},
        variant="solve",
    ),
    Row(
        "POST",
        "/tickets/{ticket_id}/merge",
        on_ticket(200, **AGENT_ON_TICKET_ONLY),
        lambda w: f"/tickets/{w.ticket.pk}/merge",
        lambda w, p: {"into_id": w.second_ticket.pk, "reason": "same printer"},
    ),
    Row(
        "POST",
        "/tickets/{ticket_id}/links",
        on_ticket(201, **AGENT_ON_TICKET_ONLY),
        lambda w: f"/tickets/{w.ticket.pk}/links",
        lambda w, p: {"target_id": w.second_ticket.pk, "kind": "related"},
    ),
    Row(
        "GET",
        "/tickets/{ticket_id}/messages",
        on_ticket(200),
        lambda w: f"/tickets/{w.ticket.pk}/messages",
    ),
    Row(
        "POST",
        "/tickets/{ticket_id}/messages",
        on_ticket(201),
        lambda w: f"/tickets/{w.ticket.pk}/messages",
        lambda w, p: {"body": "Any news?"},
    ),
    Row(
        "POST",
        "/tickets/{ticket_id}/messages",
        on_ticket(201, **AGENT_ON_TICKET_ONLY),
        lambda w: f"/tickets/{w.ticket.pk}/messages",
        lambda w, p: {"body": "Checked the toner", "kind": "note"},
        variant="note",
    ),
    Row(
        "GET",
        "/tickets/{ticket_id}/history",
        on_ticket(200),
        lambda w: f"/tickets/{w.ticket.pk}/history",
    ),
    Row(
        "GET",
        "/tickets/{ticket_id}/attachments",
        on_ticket(200),
        lambda w: f"/tickets/{w.ticket.pk}/attachments",
    ),
    Row(
        "POST",
        "/tickets/{ticket_id}/attachments",
        on_ticket(201),
        lambda w: f"/tickets/{w.ticket.pk}/attachments",
        _upload,
        multipart=True,
    ),
    Row(
        "POST",
        "/tickets/{ticket_id}/attachments",
        on_ticket(201, requester=404, colleague=404),
        lambda w: f"/tickets/{w.ticket.pk}/attachments",
        lambda w, p: {**_upload(w, p), "message_id": w.note.pk},
        multipart=True,
        variant="on an internal note",
    ),
    Row(
        "GET",
        "/attachments/{attachment_id}",
        on_ticket(200),
        lambda w: f"/attachments/{w.public_attachment.pk}",
    ),
    Row(
        "GET",
        "/attachments/{attachment_id}",
        on_ticket(200, requester=404, colleague=404),
        lambda w: f"/attachments/{w.note_attachment.pk}",
        variant="on an internal note",
    ),
    # --- configuration ----------------------------------------------------------
    Row("GET", "/categories", expect(200), lambda w: "/categories"),
    Row(
        "GET",
        "/categories/{category_id}",
        expect(200),
        lambda w: f"/categories/{w.p.category.pk}",
    ),
    Row(
        "POST",
        "/categories",
        admin_only(201),
        lambda w: "/categories",
        lambda w, p: {"name": "Network", "slug": "network"},
    ),
    Row(
        "PATCH",
        "/categories/{category_id}",
        admin_only(200),
        lambda w: f"/categories/{w.p.category.pk}",
        lambda w, p: {"name_ru": "Печать"},
    ),
    Row("GET", "/custom-fields", expect(200), lambda w: "/custom-fields"),
    Row(
        "POST",
        "/custom-fields",
        admin_only(201),
        lambda w: "/custom-fields",
        lambda w, p: {"key": "asset_tag", "label": "Asset tag", "field_type": "text"},
    ),
    # --- sla (configuration for staff; a ticket's clocks for whoever sees the ticket) ---
    Row("GET", "/sla/policies", expect(200, **STAFF_ONLY), lambda w: "/sla/policies"),
    Row(
        "GET",
        "/sla/policies/{policy_id}",
        expect(200, **STAFF_ONLY),
        lambda w: f"/sla/policies/{_sla_default_ids()[0]}",
    ),
    Row("GET", "/sla/calendars", expect(200, **STAFF_ONLY), lambda w: "/sla/calendars"),
    Row(
        "GET",
        "/sla/calendars/{calendar_id}",
        expect(200, **STAFF_ONLY),
        lambda w: f"/sla/calendars/{_sla_default_ids()[1]}",
    ),
    Row(
        "GET",
        "/sla/calendars/{calendar_id}/due",
        expect(200, **STAFF_ONLY),
        lambda w: f"/sla/calendars/{_sla_default_ids()[1]}/due?minutes=90",
    ),
    Row("GET", "/sla/alerts", expect(200, **STAFF_ONLY), lambda w: "/sla/alerts"),
    Row("GET", "/sla/tickets/{ticket_id}", on_ticket(200), lambda w: f"/sla/tickets/{w.ticket.pk}"),
    # --- dispatch (auto-triage): agents only; requesters get 404 -------------------
    Row(
        "GET",
        "/tickets/{ticket_id}/triage",
        on_ticket(200, requester=404, colleague=404),
        lambda w: f"/tickets/{w.ticket.pk}/triage",
    ),
]


ROWS: list[Row] = CORE_ROWS + app_rows()


def live_endpoints() -> set[tuple[str, str]]:
    schema = api.get_openapi_schema()
    endpoints = set()
    for path, operations in schema["paths"].items():
        for method in operations:
            endpoints.add((method.upper(), path.removeprefix(API)))
    return endpoints


def call(client: Client, w: World, row: Row, persona: str, headers: dict[str, str]):
    url = API + row.url(w)
    body = row.body(w, persona) if row.body else None
    method = row.method.lower()
    if row.multipart:
        from django.core.files.uploadedfile import SimpleUploadedFile

        data = {
            key: SimpleUploadedFile(value[0], value[1]) if isinstance(value, tuple) else value
            for key, value in (body or {}).items()
        }
        return client.post(url, data=data, **headers)
    if body is None:
        return getattr(client, method)(url, **headers)
    return getattr(client, method)(
        url, data=json.dumps(body), content_type="application/json", **headers
    )


def test_matrix_covers_every_endpoint():
    covered = {(row.method, row.path) for row in ROWS}

    missing = live_endpoints() - covered
    stale = covered - live_endpoints()

    assert not missing, (
        f"endpoints without a row in the authorisation matrix: {sorted(missing)}. Add a Row "
        "per endpoint and persona outcome in tests/<app>/api_matrix.py (ROWS = [...]; see "
        "tests/api/matrix_world.py)."
    )
    assert not stale, f"matrix rows for endpoints that no longer exist: {sorted(stale)}"


def test_no_endpoint_hides_from_the_schema():
    # The matrix and docs/openapi.json enumerate endpoints from the schema: an operation
    # left out of it would escape both.
    hidden = [
        f"{sorted(operation.methods)} {prefix}{path}"
        for prefix, router in api._routers
        for path, view in router.path_operations.items()
        for operation in view.operations
        if not operation.include_in_schema
    ]

    assert not hidden, f"endpoints hidden from the OpenAPI schema: {hidden}"


def test_matrix_names_every_persona_in_every_row():
    for row in ROWS:
        assert set(row.expected) == set(PERSONAS), row.name


def check(client: Client, world: World, row: Row, persona: str) -> list[str]:
    """Call the row's endpoint as the persona; describe every way the answer is wrong."""
    headers = world.headers(persona)
    before = snapshot()
    response = call(client, world, row, persona, headers)
    expected = row.expected[persona]
    where = f"{row.name} as {persona}"
    if response.status_code != expected:
        return [f"{where}: {response.status_code}, expected {expected}: {response.content[:300]!r}"]
    if expected < 400:
        return []
    problems = []
    if response["Content-Type"] != "application/problem+json":
        problems.append(f"{where}: Content-Type {response['Content-Type']}")
    else:
        body = response.json()
        if not set(body) >= PROBLEM_KEYS or body["status"] != expected:
            problems.append(f"{where}: not a proper problem: {body}")
    if snapshot() != before:
        problems.append(f"{where}: refused, but wrote something")
    return problems


@pytest.mark.parametrize("row", ROWS, ids=lambda row: row.name)
def test_endpoint_answers_every_persona_with_exact_status(client, personas, row):
    # given one world; each persona's call runs in a savepoint rolled back afterwards,
    # so every persona meets the same state
    world = build_world(personas)
    if row.given is not None:
        row.given(world)
    failures: list[str] = []

    # when
    for persona in PERSONAS:
        savepoint = transaction.savepoint()
        try:
            failures.extend(check(client, world, row, persona))
        finally:
            transaction.savepoint_rollback(savepoint)

    # then
    assert not failures, "\n".join(failures)
