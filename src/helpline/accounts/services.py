"""Writes for people and structure: users, organizations, teams, API tokens."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone

from helpline.accounts.choices import Role
from helpline.accounts.models import ApiToken, Organization, Team, User, hash_token
from helpline.core.compiled import CompiledQuery
from helpline.core.problems import Forbidden, NotFound, ServiceError

VALID_SCOPES = frozenset({"*", "tickets:read", "tickets:write", "admin"})
# Writing last_used_at on every request would add an UPDATE to each API call;
# once a minute is precise enough for "last used" and costs nothing on hot paths.
TOKEN_TOUCH_INTERVAL = dt.timedelta(minutes=1)


def issue_token(
    *,
    email: str,
    password: str,
    name: str = "api",
    scopes: list[str] | None = None,
    expires_in_days: int | None = None,
) -> tuple[ApiToken, str]:
    """Exchange e-mail + password for a new personal token; returns the row and the raw key."""
    user = authenticate(username=email.strip().lower(), password=password)
    if user is None or not user.is_active:
        raise ServiceError("E-mail or password is wrong.", code="invalid-credentials", status=401)
    scopes = scopes or ["*"]
    unknown = sorted(set(scopes) - VALID_SCOPES)
    if unknown:
        raise ServiceError(f"Unknown scopes: {', '.join(unknown)}.", code="invalid-scope")
    if "admin" in scopes and not user.is_admin:
        raise Forbidden("Only administrators may hold the admin scope.")
    raw = ApiToken.generate_raw()
    expires_at = timezone.now() + dt.timedelta(days=expires_in_days) if expires_in_days else None
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        key_hash=hash_token(raw),
        hint=raw[:10],
        scopes=scopes,
        expires_at=expires_at,
    )
    return token, raw


# Runs on every API request: compiled once (see helpline.core.compiled).
_TOKEN_BY_HASH = CompiledQuery(
    lambda key_hash: (
        ApiToken.objects.select_related("user", "user__organization")
        .filter(key_hash=key_hash)
        .order_by()
    ),
    key_hash="sample-key-hash",
)


def authenticate_token(raw: str) -> ApiToken | None:
    """The live token for a raw key, with its user loaded, or None."""
    if not raw.startswith(ApiToken.PREFIX):
        return None
    token = _TOKEN_BY_HASH.first(key_hash=hash_token(raw))
    if token is None or not token.is_usable() or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOKEN_TOUCH_INTERVAL:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def revoke_token(*, actor: User, token_id: int) -> None:
    token = ApiToken.objects.filter(pk=token_id).first()
    if token is None or (token.user_id != actor.pk and not actor.is_admin):
        raise NotFound("No such token.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def _require_admin(actor: User) -> None:
    if not actor.is_admin:
        raise Forbidden("Only administrators may do this.")


USER_FIELDS = (
    "full_name",
    "phone",
    "language",
    "time_zone",
    "role",
    "tier",
    "organization_id",
    "is_active",
)


@transaction.atomic
def create_user(
    *, actor: User | None, email: str, password: str | None = None, **fields: Any
) -> User:
    """Create a user; agents may register requesters (a caller on the phone), admins anyone."""
    role = fields.get("role", Role.REQUESTER)
    if actor is not None and not actor.is_admin and not (actor.is_agent and role == Role.REQUESTER):
        raise Forbidden("You may not create this kind of user.")
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ServiceError(
            "A user with this e-mail already exists.", code="duplicate-email", status=409
        )
    skills = fields.pop("skill_ids", None)
    team_ids = fields.pop("team_ids", None)
    user = User.objects.create_user(
        email=email, password=password, **{k: v for k, v in fields.items() if k in USER_FIELDS}
    )
    if skills:
        user.skills.set(skills)
    if team_ids:
        user.teams.set(team_ids)
    return user


@transaction.atomic
def update_user(*, actor: User, user: User, **fields: Any) -> User:
    if actor.pk != user.pk:
        _require_admin(actor)
    elif set(fields) & {"role", "tier", "is_active", "organization_id"} and not actor.is_admin:
        raise Forbidden("Only administrators may change roles, tiers or organizations.")
    team_ids = fields.pop("team_ids", None)
    skill_ids = fields.pop("skill_ids", None)
    for name, value in fields.items():
        if name in USER_FIELDS:
            setattr(user, name, value)
    user.save()
    if team_ids is not None:
        user.teams.set(team_ids)
    if skill_ids is not None:
        user.skills.set(skill_ids)
    return user


def find_or_create_requester(
    *, email: str, full_name: str = "", phone: str = "", language: str = ""
) -> User:
    """The requester behind an address, created on first contact (channels use this)."""
    email = email.strip().lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is not None:
        return user
    domain = email.rsplit("@", 1)[-1]
    organization = Organization.objects.filter(domain__iexact=domain).first() if domain else None
    return User.objects.create_user(
        email=email,
        full_name=full_name,
        phone=phone,
        language=language or "en",
        organization=organization,
    )


@transaction.atomic
def save_organization(
    *, actor: User, organization: Organization | None = None, **fields: Any
) -> Organization:
    _require_admin(actor)
    organization = organization or Organization()
    for name in ("name", "domain", "is_vip", "shares_tickets", "notes"):
        if name in fields:
            setattr(organization, name, fields[name])
    if (
        Organization.objects.filter(name__iexact=organization.name)
        .exclude(pk=organization.pk)
        .exists()
    ):
        raise ServiceError(
            "An organization with this name already exists.", code="duplicate-name", status=409
        )
    organization.save()
    return organization


@transaction.atomic
def save_team(*, actor: User, team: Team | None = None, **fields: Any) -> Team:
    _require_admin(actor)
    team = team or Team()
    member_ids = fields.pop("member_ids", None)
    for name in ("name", "slug", "email", "tier", "description"):
        if name in fields:
            setattr(team, name, fields[name])
    if Team.objects.filter(slug=team.slug).exclude(pk=team.pk).exists():
        raise ServiceError(
            "A team with this slug already exists.", code="duplicate-slug", status=409
        )
    team.save()
    if member_ids is not None:
        team.members.set(member_ids)
    return team


SYSTEM_EMAIL = "system@helpline.invalid"


def get_system_user() -> User:
    """The actor for changes Helpline makes by itself (rules, schedules): never signs in."""
    user = User.objects.filter(email=SYSTEM_EMAIL).first()
    if user is None:
        user = User.objects.create_user(email=SYSTEM_EMAIL, full_name="Helpline", role=Role.ADMIN)
    return user
