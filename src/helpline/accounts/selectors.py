"""Read queries for people and structure."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from helpline.accounts.models import Organization, Team, User


def users_visible_to(actor: User) -> QuerySet[User]:
    """Agents see everyone (to find callers); requesters see only themselves."""
    users = User.objects.select_related("organization")
    if actor.is_agent:
        return users
    return users.filter(pk=actor.pk)


def search_users(actor: User, text: str) -> QuerySet[User]:
    text = text.strip()
    users = users_visible_to(actor)
    if text:
        users = users.filter(
            Q(full_name__icontains=text) | Q(email__icontains=text) | Q(phone__icontains=text)
        )
    return users


def organizations_visible_to(actor: User) -> QuerySet[Organization]:
    if actor.is_agent:
        return Organization.objects.all()
    return Organization.objects.filter(pk=actor.organization_id)


def teams_visible_to(actor: User) -> QuerySet[Team]:
    return Team.objects.all()


def team_ids_of(user: User) -> list[int]:
    cached = getattr(user, "_team_ids", None)
    if cached is None:
        cached = list(user.teams.values_list("id", flat=True))
        user._team_ids = cached
    return cached
