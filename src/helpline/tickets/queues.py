"""The agent workspace's queues: named, indexed views over the tickets an agent may see."""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.db.models import Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helpline.accounts.models import User
from helpline.accounts.selectors import team_ids_of
from helpline.tickets.choices import Status
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


# A count above this shows as "99+": counting stops there, so a count costs the same at
# a hundred thousand tickets as at a million (and the navigation needs no more).
COUNT_CAP = 99
# Counts are kept per user until any ticket changes, and at most this long (the breaching
# and recent windows move with the clock; team membership can change).
COUNTS_TTL_SECONDS = 15


def queue_counts(user: User, now: dt.datetime | None = None) -> dict[str, int]:
    """Every queue's count, each up to COUNT_CAP + 1: six small index-bounded queries.

    One aggregate over all visible tickets (the previous approach) reads every row the
    agent may see, which grows with the table; a capped count stops after COUNT_CAP + 1.
    """
    now = now or timezone.now()
    return {
        key: queue_tickets(user, key, now).order_by().values("id")[: COUNT_CAP + 1].count()
        for key, _label in QUEUES
    }


def cached_queue_counts(user: User) -> dict[str, int]:
    """queue_counts(), kept for a few seconds per user and dropped when any ticket changes.

    Every change to a ticket moves its updated_at, so the newest updated_at (one index
    lookup) is part of the key: the navigation never shows counts older than the last
    change it has seen, in any process, and pages in between share one computation.
    """
    latest = Ticket.objects.aggregate(latest=Max("updated_at"))["latest"]
    key = f"queue-counts:{user.pk}:{latest.timestamp() if latest else 0}"
    counts = cache.get(key)
    if counts is None:
        counts = queue_counts(user)
        cache.set(key, counts, COUNTS_TTL_SECONDS)
    return counts
