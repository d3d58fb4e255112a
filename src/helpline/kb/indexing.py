"""Keeping tickets in the search index (articles are indexed by kb.services on save).

Tickets are read here, never written: subject and public replies only, so an internal
note can never surface in a requester's search results or snippets. Who may see the
ticket (requester, organization, team, assignee) is copied onto its search document, so
ticket search filters by plain columns; a change of any of them re-indexes the ticket.
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
        .only("id", "number", "subject", *search.VISIBILITY_FIELDS)
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
                requester_id=ticket.requester_id,
                organization_id=ticket.organization_id,
                team_id=ticket.team_id,
                assignee_id=ticket.assignee_id,
            )
        )
    return documents


def index_tickets(ticket_ids: Iterable[int]) -> int:
    return search.index_documents(ticket_documents(ticket_ids))


# Fields whose change re-indexes a ticket: its text, and who may see it.
REINDEX_FIELDS = frozenset({"subject", "tags", "requester", "organization", "team", "assignee"})


def on_ticket_change(change) -> None:
    """tickets.events subscriber: re-index the ticket that changed (both, after a merge:
    the source's replies moved to the target)."""
    if change.kind == "merged" and change.extra.get("source_id"):
        index_tickets([change.ticket_id, change.extra["source_id"]])
    elif change.kind != "updated" or REINDEX_FIELDS & set(change.fields):
        index_tickets([change.ticket_id])
