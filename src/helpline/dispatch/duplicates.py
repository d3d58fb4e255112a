"""Duplicate detection for new tickets.

A new ticket is compared with the same requester's open tickets and with recent tickets on
the same topic (same category, or any category when it has none). Exact duplicates (same
sender, same text, within minutes: a double-click, a re-sent e-mail) are merged into the
first ticket automatically; close matches are linked as related and flagged with an
internal note naming the match and its similarity, for an agent to decide.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from helpline.dispatch.triage.text import stems
from helpline.tickets.choices import ACTIVE_STATUSES
from helpline.tickets.models import Message, Ticket, TicketLink

EXACT_WINDOW = dt.timedelta(minutes=10)
RECENT_WINDOW = dt.timedelta(days=7)
SAME_REQUESTER_THRESHOLD = 0.6
SAME_TOPIC_THRESHOLD = 0.8
MAX_CANDIDATES = 300
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Match:
    ticket_id: int
    number: int
    score: float
    exact: bool
    same_requester: bool


def _normalised(text: str) -> str:
    return _SPACE.sub(" ", text or "").strip().casefold()


def _vector(text: str) -> Counter:
    return Counter(stems(text))


def cosine(a: Counter, b: Counter) -> float:
    if not a or not b:
        return 0.0
    dot = sum(count * b.get(term, 0) for term, count in a.items())
    return dot / (
        math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    )


def _first_texts(ticket_ids: list[int]) -> dict[int, str]:
    texts: dict[int, str] = {}
    for ticket_id, body in (
        Message.objects.filter(ticket_id__in=ticket_ids)
        .order_by("ticket_id", "created_at", "id")
        .values_list("ticket_id", "body_text")
    ):
        texts.setdefault(ticket_id, body)
    return texts


def find_matches(ticket: Ticket, now: dt.datetime | None = None) -> list[Match]:
    """The best matches for a ticket, most similar first."""
    now = now or timezone.now()
    topic = Q(category_id=ticket.category_id) if ticket.category_id else Q()
    candidates = list(
        Ticket.objects.filter(
            Q(requester_id=ticket.requester_id, status__in=ACTIVE_STATUSES)
            | (topic & Q(created_at__gte=now - RECENT_WINDOW))
        )
        .exclude(pk=ticket.pk)
        .filter(merged_into__isnull=True, created_at__lte=ticket.created_at)
        .order_by("-created_at")
        .values("pk", "number", "subject", "requester_id", "created_at")[:MAX_CANDIDATES]
    )
    if not candidates:
        return []
    texts = _first_texts([ticket.pk] + [c["pk"] for c in candidates])
    mine_text = f"{ticket.subject}\n{texts.get(ticket.pk, '')}"
    mine = _vector(mine_text)
    matches = []
    for c in candidates:
        other_text = f"{c['subject']}\n{texts.get(c['pk'], '')}"
        same_requester = c["requester_id"] == ticket.requester_id
        exact = (
            same_requester
            and _normalised(other_text) == _normalised(mine_text)
            and ticket.created_at - c["created_at"] <= EXACT_WINDOW
        )
        score = 1.0 if exact else cosine(mine, _vector(other_text))
        threshold = SAME_REQUESTER_THRESHOLD if same_requester else SAME_TOPIC_THRESHOLD
        if exact or score >= threshold:
            matches.append(Match(c["pk"], c["number"], round(score, 3), exact, same_requester))
    return sorted(matches, key=lambda m: (m.exact, m.score), reverse=True)


def check_new_ticket(ticket_id: int) -> Match | None:
    """Merge an exact duplicate, or flag the best close match. Returns the match acted on."""
    from helpline.accounts.services import get_system_user
    from helpline.tickets import services

    ticket = Ticket.objects.filter(pk=ticket_id, merged_into__isnull=True).first()
    if ticket is None or ticket.status not in ACTIVE_STATUSES:
        return None
    matches = find_matches(ticket)
    if not matches:
        return None
    best = matches[0]
    system = get_system_user()
    target = Ticket.objects.get(pk=best.ticket_id)
    if best.exact:
        services.merge_tickets(
            system, ticket, target, reason="exact duplicate: same sender and text within 10 minutes"
        )
        return best
    if TicketLink.objects.filter(source=ticket, target=target).exists():
        return None
    services.link_tickets(system, ticket, target, "related")
    who = (
        "the same requester's open ticket"
        if best.same_requester
        else "a recent ticket on the same topic"
    )
    services.add_system_note(
        ticket,
        f"Possible duplicate of #{target.number} ({who}, similarity {best.score:.0%}).",
        source="duplicates",
    )
    return best
