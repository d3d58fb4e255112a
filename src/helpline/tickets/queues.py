"""The agent workspace's queues: named, indexed views over the tickets an agent may see."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helpline.accounts.models import User
from helpline.accounts.selectors import team_ids_of
from helpline.tickets.choices import ACTIVE_STATUSES, Status
from helpline.tickets.models import Ticket

BREACH_WINDOW = dt.timedelta(hours=2)
RECENT_WINDOW = dt.timedelta(hours=24)

QUEUES: list[tuple[str, str]] = [
    ("mine", _("My open")),
    ("unassigned", _("Unassigned in my teams")),
    ("breaching", _("Breaching soon")),
    ("pending", _("Waiting on requester")),
    ("recent", _("Recently updated")),
    ("all", _("All")),
]
QUEUE_KEYS = frozenset(key for key, _label in QUEUES)


def queue_tickets(user: User, key: str, now: dt.datetime | None = None) -> QuerySet[Ticket]:
    """The tickets in one queue, newest first, limited to what the user may see."""
    now = now or timezone.now()
    tickets = Ticket.objects.visible_to(user)
    if key == "mine":
        return tickets.active().filter(assignee_id=user.pk)
    if key == "unassigned":
        mine = Q(team_id__in=team_ids_of(user)) | Q(team__isnull=True)
        return tickets.active().filter(mine, assignee__isnull=True)
    if key == "breaching":
        return tickets.active().filter(due_at__lte=now + BREACH_WINDOW)
    if key == "pending":
        return tickets.filter(status=Status.PENDING)
    if key == "recent":
        return tickets.filter(updated_at__gte=now - RECENT_WINDOW).order_by("-updated_at", "-id")
    return tickets


def queue_counts(user: User, now: dt.datetime | None = None) -> dict[str, int]:
    """Every queue's count in one pass over the visible tickets (one query, not six)."""
    now = now or timezone.now()
    active = Q(status__in=ACTIVE_STATUSES)
    mine = Q(team_id__in=team_ids_of(user)) | Q(team__isnull=True)
    return Ticket.objects.visible_to(user).aggregate(
        mine=Count("id", filter=active & Q(assignee_id=user.pk)),
        unassigned=Count("id", filter=active & mine & Q(assignee__isnull=True)),
        breaching=Count("id", filter=active & Q(due_at__lte=now + BREACH_WINDOW)),
        pending=Count("id", filter=Q(status=Status.PENDING)),
        recent=Count("id", filter=Q(updated_at__gte=now - RECENT_WINDOW)),
        all=Count("id"),
    )
