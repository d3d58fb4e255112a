"""Users, organizations, teams and API tokens over REST (thin: schemas in, services out)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from helpline.accounts import selectors, services
from helpline.accounts.models import ApiToken, Organization, Team, User
from helpline.accounts.schemas import (
    OrganizationIn,
    OrganizationOut,
    OrganizationPatch,
    TeamIn,
    TeamOut,
    TeamPatch,
    TokenOut,
    TokenRequest,
    UserIn,
    UserOut,
    UserPatch,
)
from helpline.api.auth import require_scope
from helpline.core.problems import Forbidden, NotFound, ServiceError

auth_router = Router(tags=["auth"])
router = Router(tags=["people"])


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _token_out(token: ApiToken, raw: str | None = None) -> dict:
    return {
        "id": token.pk,
        "name": token.name,
        "token": raw,
        "hint": token.hint,
        "scopes": token.scopes,
        "created_at": token.created_at.isoformat(),
        "expires_at": _iso(token.expires_at),
        "last_used_at": _iso(token.last_used_at),
        "revoked_at": _iso(token.revoked_at),
    }


@auth_router.post(
    "/token",
    auth=None,
    response={201: TokenOut},
    summary="Exchange e-mail and password for an API token",
)
def create_token(request: HttpRequest, payload: TokenRequest):
    token, raw = services.issue_token(
        email=payload.email,
        password=payload.password,
        name=payload.name,
        scopes=payload.scopes,
        expires_in_days=payload.expires_in_days,
    )
    return 201, _token_out(token, raw)


@auth_router.get("/tokens", response=list[TokenOut], summary="My API tokens")
def list_tokens(request: HttpRequest):
    return [_token_out(t) for t in ApiToken.objects.filter(user=request.user)]


@auth_router.delete("/tokens/{token_id}", response={204: None}, summary="Revoke an API token")
def revoke_token(request: HttpRequest, token_id: int):
    services.revoke_token(actor=request.user, token_id=token_id)
    return 204, None


def _check_references(actor: User, data: dict) -> None:
    """Ids in a body must exist: 422 with the field, never a foreign-key error at commit.

    Only staff learn which ids exist; the services refuse everyone else anyway.
    """
    if not actor.is_agent:
        return
    checks = (
        ("organization_id", Organization),
        ("team_ids", Team),
        ("member_ids", User),
    )
    errors = []
    for field, model in checks:
        value = data.get(field)
        if value is None:
            continue
        wanted = set(value) if isinstance(value, list) else {value}
        found = set(model.objects.filter(pk__in=wanted).values_list("pk", flat=True))
        missing = sorted(wanted - found)
        if missing:
            ids = ", ".join(map(str, missing))
            errors.append({"field": field, "message": _("no such id: %(ids)s") % {"ids": ids}})
    if errors:
        raise ServiceError(
            _("Some referenced records do not exist."),
            code="invalid-reference",
            status=422,
            errors=errors,
        )


def user_out(user: User) -> dict:
    return {
        "id": user.pk,
        "email": user.email,
        "full_name": user.full_name,
        "phone": user.phone,
        "language": user.language,
        "time_zone": user.time_zone,
        "role": user.role,
        "tier": user.tier,
        "organization_id": user.organization_id,
        "team_ids": [t.pk for t in user.teams.all()],
        "skills": [s.name for s in user.skills.all()],
        "is_active": user.is_active,
    }


ADMIN_ONLY_USER_FIELDS = frozenset({"role", "tier", "is_active", "organization_id", "team_ids"})


def _visible_user(request: HttpRequest, user_id: int) -> User:
    user = (
        selectors.users_visible_to(request.user)
        .prefetch_related("teams", "skills")
        .filter(pk=user_id)
        .first()
    )
    if user is None:
        raise NotFound("No such user.")
    return user


@router.get("/users/me", response=UserOut, tags=["people"], summary="The signed-in user")
def me(request: HttpRequest):
    return user_out(_visible_user(request, request.user.pk))


@router.get("/users", response=list[UserOut], summary="Find users by name, e-mail or phone")
def list_users(request: HttpRequest, q: str = "", role: str = "", limit: int = 50):
    if not 1 <= limit <= 200:
        raise ServiceError("limit must be between 1 and 200.", code="invalid-limit")
    users = selectors.search_users(request.user, q).prefetch_related("teams", "skills")
    if role:
        users = users.filter(role=role)
    return [user_out(u) for u in users.order_by("full_name", "id")[:limit]]


@router.get("/users/{user_id}", response=UserOut)
def get_user(request: HttpRequest, user_id: int):
    return user_out(_visible_user(request, user_id))


@router.post(
    "/users", response={201: UserOut}, summary="Create a user (admins; agents may add requesters)"
)
def create_user(request: HttpRequest, payload: UserIn):
    require_scope(request, "tickets:write")
    data = payload.model_dump(exclude={"email", "password"})
    data["tier"] = data["tier"] or ""
    _check_references(request.user, data)
    user = services.create_user(
        actor=request.user, email=payload.email, password=payload.password, **data
    )
    return 201, user_out(_visible_user(request, user.pk))


@router.patch("/users/{user_id}", response=UserOut)
def update_user(request: HttpRequest, user_id: int, payload: UserPatch):
    require_scope(request, "tickets:write")
    user = _visible_user(request, user_id)
    changes = payload.model_dump(exclude_unset=True)
    if "tier" in changes:
        changes["tier"] = changes["tier"] or ""
    if set(changes) & ADMIN_ONLY_USER_FIELDS and not request.user.is_admin:
        raise Forbidden(_("Only administrators may change roles, tiers, teams or organizations."))
    _check_references(request.user, changes)
    services.update_user(actor=request.user, user=user, **changes)
    return user_out(_visible_user(request, user_id))


def _org_out(org: Organization) -> dict:
    return {
        "id": org.pk,
        "name": org.name,
        "domain": org.domain,
        "is_vip": org.is_vip,
        "shares_tickets": org.shares_tickets,
    }


@router.get("/organizations", response=list[OrganizationOut], tags=["people"])
def list_organizations(request: HttpRequest):
    return [_org_out(o) for o in selectors.organizations_visible_to(request.user)]


@router.get("/organizations/{org_id}", response=OrganizationOut)
def get_organization(request: HttpRequest, org_id: int):
    org = selectors.organizations_visible_to(request.user).filter(pk=org_id).first()
    if org is None:
        raise NotFound("No such organization.")
    return _org_out(org)


@router.post("/organizations", response={201: OrganizationOut})
def create_organization(request: HttpRequest, payload: OrganizationIn):
    require_scope(request, "admin")
    return 201, _org_out(services.save_organization(actor=request.user, **payload.model_dump()))


@router.patch("/organizations/{org_id}", response=OrganizationOut)
def update_organization(request: HttpRequest, org_id: int, payload: OrganizationPatch):
    require_scope(request, "admin")
    org = selectors.organizations_visible_to(request.user).filter(pk=org_id).first()
    if org is None:
        raise NotFound("No such organization.")
    return _org_out(
        services.save_organization(
            actor=request.user, organization=org, **payload.model_dump(exclude_unset=True)
        )
    )


def _team_out(team: Team) -> dict:
    return {
        "id": team.pk,
        "name": team.name,
        "slug": team.slug,
        "email": team.email,
        "tier": team.tier,
        "member_ids": [m.pk for m in team.members.all()],
    }


@router.get("/teams", response=list[TeamOut])
def list_teams(request: HttpRequest):
    return [
        _team_out(t) for t in selectors.teams_visible_to(request.user).prefetch_related("members")
    ]


@router.get("/teams/{team_id}", response=TeamOut)
def get_team(request: HttpRequest, team_id: int):
    team = (
        selectors.teams_visible_to(request.user)
        .prefetch_related("members")
        .filter(pk=team_id)
        .first()
    )
    if team is None:
        raise NotFound("No such team.")
    return _team_out(team)


@router.post("/teams", response={201: TeamOut})
def create_team(request: HttpRequest, payload: TeamIn):
    require_scope(request, "admin")
    data = payload.model_dump()
    data["tier"] = data["tier"] or ""
    _check_references(request.user, data)
    team = services.save_team(actor=request.user, **data)
    return 201, _team_out(team)


@router.patch("/teams/{team_id}", response=TeamOut)
def update_team(request: HttpRequest, team_id: int, payload: TeamPatch):
    require_scope(request, "admin")
    team = Team.objects.filter(pk=team_id).first()
    if team is None:
        raise NotFound("No such team.")
    data = payload.model_dump(exclude_unset=True)
    if "tier" in data:
        data["tier"] = data["tier"] or ""
    _check_references(request.user, data)
    return _team_out(services.save_team(actor=request.user, team=team, **data))
