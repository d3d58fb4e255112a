"""Errors: every 4xx is problem+json, bad input never gives a 500 or a half-written record."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpline.tickets.models import Ticket
from tests.api.matrix_world import build_world, snapshot
from tests.factories import auth, make_ticket, token_for

pytestmark = pytest.mark.django_db

PROBLEM_KEYS = {"type", "title", "status", "detail", "code"}


def assert_problem(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert set(problem) >= PROBLEM_KEYS
    assert problem["status"] == status
    assert problem["type"].endswith(problem["code"])
    if code is not None:
        assert problem["code"] == code
    return problem


def send(client, method: str, url: str, token: str, body=None, raw: str | None = None):
    data = raw if raw is not None else (json.dumps(body) if body is not None else None)
    kwargs = {"content_type": "application/json"} if data is not None else {}
    if data is not None:
        kwargs["data"] = data
    return getattr(client, method.lower())(url, **kwargs, **auth(token))


@pytest.mark.parametrize(
    ("method", "url", "status", "code"),
    [
        ("GET", "/api/v1/no-such-endpoint", 404, "not-found"),
        ("GET", "/api/v1/tickets/not-a-number", 422, "validation-error"),
        ("GET", "/api/v1/tickets/999999", 404, "not-found"),
        ("DELETE", "/api/v1/tickets", 405, "method-not-allowed"),
        ("PUT", "/api/v1/categories", 405, "method-not-allowed"),
        ("GET", "/api/v1/tickets?limit=0", 400, "invalid-limit"),
        ("GET", "/api/v1/tickets?limit=many", 422, "validation-error"),
        ("GET", "/api/v1/tickets?sort=colour", 400, "invalid-sort"),
        ("GET", "/api/v1/tickets?cursor=bm90LWpzb24", 400, "invalid-cursor"),
        ("GET", "/api/v1/tickets?cursor=eyJzIjoiLWNyZWF0ZWQiLCJ2IjoxLCJpZCI6IngifQ", 400, None),
        ("GET", "/api/v1/tickets?created_after=yesterday", 400, "invalid-filter"),
        ("GET", "/api/v1/tickets?team=a,b", 400, "invalid-filter"),
        ("GET", "/api/v1/tickets?team=99999999999999999999", 400, "invalid-filter"),
        ("GET", "/api/v1/tickets?status=bogus", 400, "invalid-filter"),
        ("GET", "/api/v1/tickets?status=open,bogus", 400, "invalid-filter"),
        ("GET", "/api/v1/tickets?priority=P9", 400, "invalid-filter"),
        ("GET", "/api/v1/tickets?channel=fax", 400, "invalid-filter"),
        ("GET", "/api/v1/tickets?tier=L9", 400, "invalid-filter"),
        ("GET", "/api/v1/tickets?type=complaint", 400, "invalid-filter"),
        ("GET", "/api/v1/users?limit=1000", 400, "invalid-limit"),
    ],
)
def test_bad_requests_are_problems(client, personas, method, url, status, code):
    token = token_for(personas.supervisor)

    response = send(client, method, url, token)

    assert_problem(response, status, code)


def test_cursor_from_another_sort_is_refused(client, personas):
    from helpline.core.pagination import encode_cursor

    token = token_for(personas.supervisor)
    cursor = encode_cursor("-updated", "2026-01-01T00:00:00+00:00", 1)

    response = send(client, "GET", f"/api/v1/tickets?sort=-created&cursor={cursor}", token)

    assert_problem(response, 400, "invalid-cursor")


@pytest.mark.parametrize(
    "cursor_json",
    [
        '{"s":"-updated","v":"not a date","id":1}',
        '{"s":"-updated","v":12,"id":1}',
        '{"s":"-updated","v":null,"id":1}',
        '{"s":"-created","v":"1","id":1}',
        '{"s":"-created","v":1,"id":99999999999999999999999}',
        "[1, 2, 3]",
    ],
)
def test_forged_cursors_are_400_not_500(client, personas, cursor_json):
    import base64

    token = token_for(personas.supervisor)
    sort = json.loads(cursor_json)["s"] if cursor_json.startswith("{") else "-created"
    cursor = base64.urlsafe_b64encode(cursor_json.encode()).decode().rstrip("=")

    response = send(client, "GET", f"/api/v1/tickets?sort={sort}&cursor={cursor}", token)

    assert response.status_code < 500
    if response.status_code != 200:
        assert_problem(response, 400, "invalid-cursor")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"subject": "x", "body": "y", "category_id": "seven"}, "category_id"),
        ({"subject": "x", "body": "y", "category_id": 10**30}, "category_id"),
        ({"subject": "x", "body": "y", "team_id": 10**30}, "team_id"),
        ({"subject": ["x"], "body": "y"}, "subject"),
        ({"subject": "x" * 251, "body": "y"}, "subject"),
        ({"subject": "x", "body": None}, "body"),
        ({"subject": "x", "body": "y", "custom_fields": []}, "custom_fields"),
        ({"subject": "x", "body": "y", "tags": ["a"] * 21}, "tags"),
        ({"subject": "x", "body": "y", "requester_email": "not an address"}, "requester_email"),
        ({"subject": "x", "body": "y", "type": "bug"}, "type"),
        ({"subject": "x", "body": "y", "priority": "P0"}, "priority"),
    ],
)
def test_invalid_ticket_bodies_are_422_with_the_field(client, personas, body, field):
    token = token_for(personas.l1_agent)
    before = snapshot()

    response = send(client, "POST", "/api/v1/tickets", token, body)

    problem = assert_problem(response, 422)
    assert field in [e["field"] for e in problem["errors"]], problem
    assert snapshot() == before


@pytest.mark.parametrize(
    "raw", ["{not json", "[]", '"just a string"', "null", "1", '{"subject": "x", "body": "y"']
)
def test_bodies_that_are_not_json_objects_are_problems(client, personas, raw):
    token = token_for(personas.requester)
    before = snapshot()

    response = send(client, "POST", "/api/v1/tickets", token, raw=raw)

    assert response.status_code in (400, 422)
    assert_problem(response, response.status_code)
    assert snapshot() == before


@pytest.mark.parametrize(
    "body",
    [
        {"subject": "nul\x00byte", "body": "y"},
        {"subject": "x", "body": "nul \x00 in the body"},
        {"subject": "x", "body": "y", "tags": ["a\x00b"]},
        {"subject": "x", "body": "y", "requester_name": "\x00"},
    ],
)
def test_nul_characters_are_refused_on_every_database(client, personas, body):
    token = token_for(personas.l1_agent)
    before = snapshot()

    response = send(client, "POST", "/api/v1/tickets", token, body)

    problem = assert_problem(response, 422, "validation-error")
    assert problem["errors"]
    assert snapshot() == before


def test_nul_in_a_query_filter_is_refused(client, personas):
    token = token_for(personas.supervisor)

    for url in ("/api/v1/tickets?q=a%00b", "/api/v1/tickets?tag=%00", "/api/v1/users?q=%00"):
        response = send(client, "GET", url, token)
        assert_problem(response, 400, "invalid-filter")


def test_patch_with_a_bad_value_changes_nothing(client, personas):
    world = build_world(personas)
    token = token_for(personas.l1_agent)
    before = snapshot()

    response = send(
        client,
        "PATCH",
        f"/api/v1/tickets/{world.ticket.pk}",
        token,
        {"subject": "New subject", "team_id": 10**9, "reason": "moving"},
    )

    problem = assert_problem(response, 422, "invalid-reference")
    assert problem["errors"] == [{"field": "team_id", "message": "does not exist"}]
    assert snapshot() == before


def test_patch_with_an_unknown_field_changes_nothing(client, personas):
    world = build_world(personas)
    token = token_for(personas.l1_agent)
    before = snapshot()

    response = send(
        client,
        "PATCH",
        f"/api/v1/tickets/{world.ticket.pk}",
        token,
        {"subject": "New subject", "requester_id": personas.other_requester.pk},
    )

    problem = assert_problem(response, 422, "validation-error")
    assert problem["errors"][0]["field"] == "requester_id"
    assert problem["errors"][0]["message"] == "unknown field"
    assert snapshot() == before


def test_a_failing_status_change_rolls_back_the_other_changes(client, personas):
    world = build_world(personas)
    token = token_for(personas.l1_agent)
    send(client, "PATCH", f"/api/v1/tickets/{world.ticket.pk}", token, {"status": "closed"})
    before = snapshot()

    response = send(
        client,
        "PATCH",
        f"/api/v1/tickets/{world.ticket.pk}",
        token,
        {"subject": "Renamed", "status": "open"},
    )

    assert_problem(response, 409, "ticket-closed")
    assert snapshot() == before


def test_invalid_transition_rolls_back_the_subject(client, personas):
    world = build_world(personas)
    token = token_for(personas.l1_agent)
    send(client, "PATCH", f"/api/v1/tickets/{world.ticket.pk}", token, {"status": "solved"})
    before = snapshot()

    response = send(
        client,
        "PATCH",
        f"/api/v1/tickets/{world.ticket.pk}",
        token,
        {"subject": "Renamed", "status": "pending"},
    )

    assert_problem(response, 409, "invalid-transition")
    assert snapshot() == before


def test_oversized_body_is_413_and_writes_nothing(client, personas, settings):
    settings.API_MAX_BODY_BYTES = 2000
    token = token_for(personas.l1_agent)
    before = snapshot()

    response = send(client, "POST", "/api/v1/tickets", token, {"subject": "x", "body": "y" * 5000})

    assert_problem(response, 413, "payload-too-large")
    assert snapshot() == before


def test_huge_ids_are_404_not_500(client, personas):
    token = token_for(personas.supervisor)

    for url in (
        f"/api/v1/tickets/{10**30}",
        f"/api/v1/tickets/{10**30}/messages",
        f"/api/v1/attachments/{10**30}",
        f"/api/v1/users/{10**30}",
        f"/api/v1/teams/{10**30}",
    ):
        assert_problem(send(client, "GET", url, token), 404, "not-found")


def test_huge_numbers_in_filters_and_bodies_are_4xx_not_500(client, personas):
    """SQLite cannot bind an integer beyond 64 bits; PostgreSQL answers no rows or 4xx."""
    token = token_for(personas.admin)
    huge = 10**30
    before = snapshot()

    for url in (
        f"/api/v1/tickets?team={huge}",
        f"/api/v1/tickets?assignee={huge}",
        f"/api/v1/sla/alerts?ticket={huge}",
        f"/api/v1/kb/export?ids={huge}",
    ):
        response = send(client, "GET", url, token)
        assert response.status_code in (200, 400, 404, 422), (url, response.content[:300])
        if response.status_code != 200:
            assert_problem(response, response.status_code)
    for url, body in (
        (f"/api/v1/users/{personas.requester.pk}", {"organization_id": huge}),
        (f"/api/v1/users/{personas.l1_agent.pk}", {"team_ids": [huge]}),
        (f"/api/v1/teams/{personas.l1_team.pk}", {"member_ids": [huge]}),
    ):
        response = send(client, "PATCH", url, token, body)
        assert response.status_code in (404, 422), (url, response.content[:300])
        assert_problem(response, response.status_code)

    assert snapshot() == before


def test_unhandled_errors_are_500_problems_without_internals(client, personas, monkeypatch):
    from helpline.tickets import selectors

    def explode(*args, **kwargs):
        raise RuntimeError("secret database detail")

    monkeypatch.setattr(selectors, "get_ticket", explode)
    token = token_for(personas.supervisor)

    response = send(client, "GET", "/api/v1/tickets/1", token)

    problem = assert_problem(response, 500, "internal-error")
    assert "secret" not in json.dumps(problem)


# Random JSON: never a 500, never a ticket from an invalid body.
_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
_ticket_keys = st.sampled_from(
    [
        "subject",
        "body",
        "body_html",
        "requester_id",
        "requester_email",
        "type",
        "category_id",
        "impact",
        "urgency",
        "priority",
        "priority_reason",
        "tags",
        "custom_fields",
        "channel",
        "team_id",
        "assignee_id",
        "extra",
    ]
)
_bodies = st.dictionaries(_ticket_keys, _json_values, max_size=8) | _json_values


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=_bodies)
def test_random_json_bodies_never_cause_a_500(client, personas, body):
    token = token_for(personas.l1_agent)

    response = send(client, "POST", "/api/v1/tickets", token, raw=json.dumps(body))

    assert response.status_code < 500, (body, response.content[:500])
    if response.status_code != 201:
        assert_problem(response, response.status_code)


@pytest.mark.parametrize(
    "field",
    [
        "subject",
        "type",
        "status",
        "category_id",
        "impact",
        "urgency",
        "priority",
        "priority_reason",
        "tags",
        "custom_fields",
        "team_id",
        "assignee_id",
        "tier",
        "due_at",
    ],
)
def test_patch_with_null_is_never_a_500(client, personas, field):
    world = build_world(personas)
    token = token_for(personas.l1_agent)
    before = snapshot()

    response = send(client, "PATCH", f"/api/v1/tickets/{world.ticket.pk}", token, {field: None})

    assert response.status_code in (200, 422), response.content
    if response.status_code == 422:
        assert_problem(response, 422)
        assert snapshot() == before


_patch_keys = st.sampled_from(
    [
        "subject",
        "type",
        "status",
        "category_id",
        "impact",
        "urgency",
        "priority",
        "priority_reason",
        "tags",
        "custom_fields",
        "team_id",
        "assignee_id",
        "tier",
        "due_at",
        "reason",
    ]
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=st.dictionaries(_patch_keys, _json_values, max_size=5))
def test_random_patches_never_cause_a_500(client, personas, body):
    ticket = Ticket.objects.filter(subject="fuzzed").first() or make_ticket(
        personas.requester, subject="fuzzed"
    )
    token = token_for(personas.supervisor)

    response = send(client, "PATCH", f"/api/v1/tickets/{ticket.pk}", token, raw=json.dumps(body))

    assert response.status_code < 500, (body, response.content[:500])
    if response.status_code >= 400:
        assert_problem(response, response.status_code)


_message_keys = st.sampled_from(["body", "body_html", "kind", "status", "time_spent_minutes", "x"])


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=st.dictionaries(_message_keys, _json_values, max_size=4))
def test_random_message_bodies_never_cause_a_500(client, personas, body):
    ticket = Ticket.objects.filter(subject="fuzzed").first() or make_ticket(
        personas.requester, subject="fuzzed"
    )
    token = token_for(personas.requester)

    response = send(
        client, "POST", f"/api/v1/tickets/{ticket.pk}/messages", token, raw=json.dumps(body)
    )

    assert response.status_code < 500, (body, response.content[:500])
    if response.status_code >= 400:
        assert_problem(response, response.status_code)


@pytest.mark.parametrize(
    "raw",
    [
        '{"subject": "\\ud800", "body": "x"}',
        '{"subject": "x", "body": "y", "custom_fields": {"\\udfff": 1}}',
        '{"\\ud800": 1, "subject": "x", "body": "y"}',
    ],
)
def test_lone_surrogates_are_refused_not_500(client, personas, raw):
    token = token_for(personas.l1_agent)
    before = snapshot()

    response = send(client, "POST", "/api/v1/tickets", token, raw=raw)

    assert_problem(response, 422, "validation-error")
    assert snapshot() == before


def test_body_over_djangos_memory_limit_is_413_not_500(client, personas, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000  # e.g. a body that came without a length
    token = token_for(personas.l1_agent)
    before = snapshot()

    response = send(client, "POST", "/api/v1/tickets", token, {"subject": "x", "body": "y" * 5000})

    assert_problem(response, 413, "payload-too-large")
    assert snapshot() == before


@pytest.mark.parametrize("raw", ["[]", "[1, 2]", '"a ticket"', "null", "42"])
def test_a_body_that_is_not_a_json_object_is_named_as_such(client, personas, raw):
    token = token_for(personas.l1_agent)

    problem = assert_problem(
        send(client, "POST", "/api/v1/tickets", token, raw=raw), 422, "validation-error"
    )

    assert problem["detail"] == "The request body must be a JSON object."
    assert problem["errors"] == [
        {"field": "", "message": "expected a JSON object", "type": problem["errors"][0]["type"]}
    ]
    assert "TicketIn" not in json.dumps(problem)
    assert not Ticket.objects.exists()
