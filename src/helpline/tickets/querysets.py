"""Ticket read scopes. Authorisation lives here so every view and endpoint shares it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from helpline.accounts.models import User


def visibility(user: User) -> Q | None:
    """Who sees which ticket, over the columns team_id, assignee_id, requester_id and
    organization_id (of tickets, or of the search documents that copy them); None when
    the user sees nothing.

    Supervisors and admins see all; agents their teams' tickets, tickets assigned to
    them and the untriaged pool with no team; requesters their own and, where their
    organization shares tickets, their organization's.
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.sees_all_tickets:
        return Q()
    if user.is_agent:
        from helpline.accounts.selectors import team_ids_of

        return Q(team_id__in=team_ids_of(user)) | Q(assignee_id=user.pk) | Q(team_id__isnull=True)
    rule = Q(requester_id=user.pk)
    organization = user.organization
    if organization is not None and organization.shares_tickets:
        rule |= Q(organization_id=organization.pk)
    return rule


class TicketQuerySet(models.QuerySet):
    def visible_to(self, user: User) -> TicketQuerySet:
        """Tickets the user may see (the rules are in `visibility`)."""
        rule = visibility(user)
        return self.none() if rule is None else self.filter(rule)

    def for_list(self) -> TicketQuerySet:
        return self.select_related(
            "requester", "assignee", "team", "category", "organization"
        ).prefetch_related("tags")

    def with_public_message_count(self) -> TicketQuerySet:
        """Annotate `public_message_count`: what a requester may count (no internal notes)."""
        from django.db.models import Count, OuterRef, Subquery
        from django.db.models.functions import Coalesce

        from helpline.tickets.models import Message

        public = (
            Message.objects.filter(ticket=OuterRef("pk"), kind="reply")
            .order_by()
            .values("ticket")
            .annotate(n=Count("id"))
            .values("n")
        )
        return self.annotate(public_message_count=Coalesce(Subquery(public), 0))

    def active(self) -> TicketQuerySet:
        from helpline.tickets.choices import ACTIVE_STATUSES

        return self.filter(status__in=ACTIVE_STATUSES)
