"""Users, organizations and teams over REST: readable when signed in, written by admins.

Agents may register requesters (a caller on the phone), nobody else but admins creates users.
"""

from __future__ import annotations

import json

import pytest

from helpline.accounts.models import Organization, Team, User
from tests.api.matrix_world import snapshot
from tests.factories import auth, token_for

pytestmark = pytest.mark.django_db


def send(client, method: str, url: str, token: str, body: dict):
    return getattr(client, method)(
        url, data=json.dumps(body), content_type="application/json", **auth(token)
    )


def test_agent_registers_a_caller_as_requester(client, personas):
    token = token_for(personas.l1_agent)

    response = send(
        client,
        "post",
        "/api/v1/users",
        token,
        {
            "email": "Caller@Acme.Example",
            "full_name": "Пётр Звонящий",
            "phone": "+7 495 000-00-00",
            "language": "ru",
            "organization_id": personas.organization.pk,
        },
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body | {"id": 0} == {
        "id": 0,
        "email": "caller@acme.example",
        "full_name": "Пётр Звонящий",
        "phone": "+7 495 000-00-00",
        "language": "ru",
        "time_zone": "UTC",
        "role": "requester",
        "tier": "",
        "organization_id": personas.organization.pk,
        "team_ids": [],
        "skills": [],
        "is_active": True,
    }
    assert not User.objects.get(pk=body["id"]).has_usable_password()


@pytest.mark.parametrize("role", ["agent", "supervisor", "admin"])
def test_agents_cannot_create_staff(client, personas, role):
    token = token_for(personas.supervisor)
    before = snapshot()

    response = send(
        client, "post", "/api/v1/users", token, {"email": "x@helpline.test", "role": role}
    )

    assert response.status_code == 403
    assert snapshot() == before


def test_admin_creates_an_agent_in_a_team(client, personas):
    token = token_for(personas.admin)

    response = send(
        client,
        "post",
        "/api/v1/users",
        token,
        {
            "email": "dave@helpline.test",
            "role": "agent",
            "tier": "L2",
            "team_ids": [personas.l2_team.pk],
            "password": "long-enough-password",
        },
    )

    assert response.status_code == 201
    assert (response.json()["role"], response.json()["team_ids"]) == (
        "agent",
        [personas.l2_team.pk],
    )
    assert User.objects.get(email="dave@helpline.test").check_password("long-enough-password")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"email": "rita@acme.example"}, 409, "duplicate-email"),
        ({"email": "RITA@ACME.EXAMPLE"}, 409, "duplicate-email"),
        ({"email": "not-an-address"}, 422, "validation-error"),
        ({"email": "x@y.example", "role": "overlord"}, 422, "validation-error"),
        ({"email": "x@y.example", "password": "short"}, 422, "validation-error"),
        ({"email": "x@y.example", "organization_id": 10**6}, 422, None),
        ({"email": "x@y.example", "team_ids": [10**6]}, 422, None),
    ],
)
def test_invalid_users_are_refused_and_nothing_is_written(client, personas, body, status, code):
    token = token_for(personas.admin)
    before = snapshot()

    response = send(client, "post", "/api/v1/users", token, body)

    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    if code:
        assert response.json()["code"] == code
    assert snapshot() == before


def test_requester_edits_own_profile_but_not_role(client, personas):
    token = token_for(personas.requester)
    me = f"/api/v1/users/{personas.requester.pk}"

    renamed = send(client, "patch", me, token, {"full_name": "Rita R.", "language": "ru"})
    before = snapshot()
    promoted = send(client, "patch", me, token, {"role": "admin"})

    assert renamed.status_code == 200
    assert (renamed.json()["full_name"], renamed.json()["language"]) == ("Rita R.", "ru")
    assert promoted.status_code == 403
    assert snapshot() == before


def test_requesters_see_only_themselves_among_users(client, personas):
    token = token_for(personas.requester)

    listed = client.get("/api/v1/users", **auth(token)).json()
    colleague = client.get(f"/api/v1/users/{personas.colleague.pk}", **auth(token))

    assert [u["id"] for u in listed] == [personas.requester.pk]
    assert colleague.status_code == 404


def test_agents_find_callers_by_name_email_or_phone(client, personas):
    personas.requester.phone = "+7 812 555-01-02"
    personas.requester.save()
    token = token_for(personas.l1_agent)

    for query in ("Rita", "rita@acme", "555-01"):
        listed = client.get(f"/api/v1/users?q={query}", **auth(token)).json()
        assert [u["id"] for u in listed] == [personas.requester.pk], query
    agents = client.get("/api/v1/users?role=agent", **auth(token)).json()
    assert [u["email"] for u in agents] == [
        "alice@helpline.test",
        "bob@helpline.test",
        "carol@helpline.test",
    ]


def test_admin_manages_organizations(client, personas):
    token = token_for(personas.admin)

    created = send(
        client,
        "post",
        "/api/v1/organizations",
        token,
        {"name": "Globex", "domain": "globex.example"},
    )
    duplicate = send(client, "post", "/api/v1/organizations", token, {"name": "globex"})
    changed = send(
        client,
        "patch",
        f"/api/v1/organizations/{created.json()['id']}",
        token,
        {"is_vip": True, "shares_tickets": True},
    )

    assert created.status_code == 201
    assert duplicate.status_code == 409
    assert changed.json() == {
        "id": created.json()["id"],
        "name": "Globex",
        "domain": "globex.example",
        "is_vip": True,
        "shares_tickets": True,
    }
    assert Organization.objects.filter(name__iexact="globex").count() == 1


def test_requesters_see_only_their_own_organization(client, personas):
    Organization.objects.create(name="Globex")
    token = token_for(personas.requester)

    listed = client.get("/api/v1/organizations", **auth(token)).json()

    assert [o["name"] for o in listed] == ["Acme"]


def test_admin_manages_teams_and_members(client, personas):
    token = token_for(personas.admin)

    created = send(
        client,
        "post",
        "/api/v1/teams",
        token,
        {"name": "Network", "slug": "network", "tier": "L2", "member_ids": [personas.l2_agent.pk]},
    )
    duplicate = send(client, "post", "/api/v1/teams", token, {"name": "Net 2", "slug": "network"})
    changed = send(
        client,
        "patch",
        f"/api/v1/teams/{created.json()['id']}",
        token,
        {"member_ids": [personas.l1_agent.pk, personas.l2_agent.pk]},
    )

    assert created.status_code == 201
    assert duplicate.status_code == 409
    assert sorted(changed.json()["member_ids"]) == sorted(
        [personas.l1_agent.pk, personas.l2_agent.pk]
    )
    assert Team.objects.get(slug="network").members.count() == 2


def test_unknown_team_member_is_422_not_500(client, personas):
    token = token_for(personas.admin)
    before = snapshot()

    response = send(
        client,
        "post",
        "/api/v1/teams",
        token,
        {"name": "Ghosts", "slug": "ghosts", "member_ids": [10**6]},
    )

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert snapshot() == before


def test_categories_are_readable_by_requesters_and_written_by_admins(client, personas):
    requester = token_for(personas.requester)
    admin = token_for(personas.admin)

    listed = client.get("/api/v1/categories", **auth(requester)).json()
    child = send(
        client,
        "post",
        "/api/v1/categories",
        admin,
        {"name": "Laser", "slug": "laser", "parent_id": personas.category.pk},
    )
    loop = send(
        client,
        "patch",
        f"/api/v1/categories/{personas.category.pk}",
        admin,
        {"parent_id": child.json()["id"]},
    )

    assert [c["slug"] for c in listed] == ["printers"]
    assert child.status_code == 201
    assert loop.status_code == 422
    assert loop.json()["code"] == "category-loop"


@pytest.mark.parametrize(
    "changes",
    [
        {"team_ids": [1]},
        {"organization_id": None},
        {"is_active": False},
        {"tier": "L3"},
        {"full_name": "Rita", "role": "agent"},
    ],
)
def test_requester_cannot_change_admin_only_fields_of_their_own_account(client, personas, changes):
    token = token_for(personas.requester)
    if "team_ids" in changes:
        changes = {"team_ids": [personas.l1_team.pk]}
    before = snapshot()

    response = send(client, "patch", f"/api/v1/users/{personas.requester.pk}", token, changes)

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert snapshot() == before


def test_requester_probing_ids_learns_nothing(client, personas):
    token = token_for(personas.requester)

    existing = send(
        client,
        "post",
        "/api/v1/teams",
        token,
        {"name": "T", "slug": "t", "member_ids": [personas.l1_agent.pk]},
    )
    missing = send(
        client, "post", "/api/v1/teams", token, {"name": "T", "slug": "t", "member_ids": [10**6]}
    )

    assert existing.status_code == missing.status_code == 403
