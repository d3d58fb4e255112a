"""Which notifications a ticket change owes: decided inside the change's transaction."""

from __future__ import annotations

from helpline.core import compiled
from helpline.notifications.choices import NotificationKind
from helpline.notifications.models import NotificationIntent
from helpline.tickets.events import TicketChange


def intents_for(change: TicketChange) -> list[tuple[str, dict]]:
    """The (kind, payload) pairs a change implies. Pure: reads nothing from the database."""
    owed: list[tuple[str, dict]] = []
    if change.kind == "created" and not change.extra.get("suppress_autoreply"):
        owed.append((NotificationKind.ACKNOWLEDGEMENT, {}))
    elif change.kind == "message_added":
        from_requester = change.actor_id == change.extra.get("requester_id")
        if change.extra.get("kind") == "reply" and not from_requester:
            owed.append((NotificationKind.AGENT_REPLY, {}))
        elif change.extra.get("kind") == "note":
            owed.append((NotificationKind.MENTION, {}))
    elif change.kind == "updated":
        if "assignee" in change.fields:
            owed.append(
                (NotificationKind.ASSIGNED, {"assignee_id": change.extra.get("assignee_id")})
            )
        if "status" in change.fields:
            owed.append((NotificationKind.STATUS_CHANGED, {}))
    return owed


def record_intents(change: TicketChange) -> None:
    """One INSERT per owed notification, in the same transaction as the change."""
    intents = [
        NotificationIntent(
            kind=kind,
            ticket_id=change.ticket_id,
            message_id=change.message_id,
            actor_id=change.actor_id,
            payload=payload,
        )
        for kind, payload in intents_for(change)
    ]
    if len(intents) == 1:
        # The usual case (a new ticket's acknowledgement): SQL compiled once, on the hot path.
        compiled.insert(intents[0])
    elif intents:
        NotificationIntent.objects.bulk_create(intents)
