"""Keeping tickets in the search index (articles are indexed by kb.services on save).

Tickets are read here, never written: subject and public replies only, so an internal
note can never surface in a requester's search results or snippets.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch

from helpline.core import search
from helpline.core.sanitize import html_to_text

BODY_LIMIT = 8000


def ticket_documents(ticket_ids: Iterable[int]) -> list[search.Document]:
    from helpline.tickets.models import Message, Ticket

    replies = Message.objects.filter(kind="reply").order_by("created_at", "id")
    tickets = (
        Ticket.objects.filter(pk__in=list(ticket_ids))
        .prefetch_related("tags", Prefetch("messages", queryset=replies, to_attr="replies"))
        .only("id", "number", "subject")
    )
    documents = []
    for ticket in tickets:
        body = "\n".join(m.body_text or html_to_text(m.body_html) for m in ticket.replies)
        documents.append(
            search.Document(
                kind=search.TICKET,
                object_id=ticket.pk,
                language="",
                title=f"#{ticket.number} {ticket.subject}",
                body=body[:BODY_LIMIT],
                tags=[t.name for t in ticket.tags.all()],
                url=f"/tickets/{ticket.number}/",
            )
        )
    return documents


def index_tickets(ticket_ids: Iterable[int]) -> int:
    return search.index_documents(ticket_documents(ticket_ids))


def on_ticket_change(change) -> None:
    """tickets.events subscriber: re-index the ticket that changed."""
    if change.kind != "updated" or {"subject", "tags"} & set(change.fields):
        index_tickets([change.ticket_id])
