"""The ticket's conversation with its history folded in, as the web pages show it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from helpline.accounts.choices import Tier
from helpline.accounts.models import User
from helpline.tickets import selectors
from helpline.tickets.choices import EventKind, LinkKind, Priority, Status
from helpline.tickets.models import Message, Ticket, TicketEvent

# Replies and notes are shown as messages; their events would only repeat them.
FOLDED_KINDS = {EventKind.REPLIED, EventKind.NOTE_ADDED}
LABELS: dict[str, dict[str, str]] = {
    "status": dict(Status.choices),
    "priority": dict(Priority.choices),
    "tier": dict(Tier.choices),
}


@dataclass
class Entry:
    kind: str  # "message" | "event"
    at: Any
    message: Message | None = None
    event: TicketEvent | None = None
    text: str = ""
    reason: str = ""


def _label(field: str, value: str) -> str:
    return str(LABELS.get(field, {}).get(value, value)) or "—"


def describe(event: TicketEvent) -> str:
    """One line of history in the reader's language."""
    kind, field = event.kind, event.field
    values = {
        "old": _label(field, event.old_value),
        "new": _label(field, event.new_value),
        "field": field,
    }
    if kind == EventKind.CREATED:
        return _("created the ticket")
    if field == "satisfaction":
        return _("rated the help %(new)s of 5") % values
    if kind in (EventKind.STATUS_CHANGED, EventKind.REOPENED, EventKind.AUTO_CLOSED):
        return _("changed the status from %(old)s to %(new)s") % values
    if kind == EventKind.PRIORITY_CHANGED:
        return _("changed the priority from %(old)s to %(new)s") % values
    if kind == EventKind.ASSIGNED:
        if not event.new_value:
            return _("unassigned the ticket")
        return _("assigned the ticket to %(new)s") % values
    if kind == EventKind.TEAM_CHANGED:
        return _("moved the ticket from team %(old)s to %(new)s") % values
    if kind == EventKind.TAGS_CHANGED:
        return _("changed the tags to %(new)s") % values
    if kind == EventKind.ATTACHMENT_ADDED:
        return _("attached %(new)s") % values
    if kind == EventKind.MERGED:
        return _("merged ticket #%(new)s into this one") % values
    if kind == EventKind.MERGED_INTO:
        return _("merged this ticket into another ticket")
    if kind == EventKind.LINKED:
        link = str(dict(LinkKind.choices).get(field.split(":")[0], field))
        return _("linked ticket #%(new)s (%(link)s)") % {**values, "link": link}
    if field == "tier":
        return _("changed the tier from %(old)s to %(new)s") % values
    if field == "category":
        return _("changed the category from %(old)s to %(new)s") % values
    return _("changed %(field)s from %(old)s to %(new)s") % values


def _name_assignees(events: list[TicketEvent]) -> None:
    """Assignment events store e-mail addresses; show people's names (one query)."""
    emails = {
        value
        for event in events
        if event.kind == EventKind.ASSIGNED
        for value in (event.old_value, event.new_value)
        if value
    }
    if not emails:
        return
    names = dict(
        User.objects.filter(email__in=emails)
        .exclude(full_name="")
        .values_list("email", "full_name")
    )
    for event in events:
        if event.kind == EventKind.ASSIGNED:
            event.old_value = names.get(event.old_value, event.old_value)
            event.new_value = names.get(event.new_value, event.new_value)


def _order(entry: Entry) -> tuple:
    """Time order; at the same instant the creation comes first, then messages, then changes."""
    if entry.event is not None and entry.event.kind == EventKind.CREATED:
        return (entry.at, 0)
    return (entry.at, 1 if entry.kind == "message" else 2)


def build_timeline(user: User, ticket: Ticket) -> tuple[list[Entry], dict[str, int]]:
    """Messages and history events in time order, plus minutes spent per agent."""
    entries: list[Entry] = []
    minutes: dict[str, int] = defaultdict(int)
    for message in selectors.messages_for(user, ticket):
        entries.append(Entry("message", message.created_at, message=message))
        if message.time_spent_minutes and message.author is not None:
            minutes[str(message.author)] += message.time_spent_minutes
    events = [e for e in selectors.history_for(user, ticket) if e.kind not in FOLDED_KINDS]
    _name_assignees(events)
    for event in events:
        entries.append(
            Entry("event", event.created_at, event=event, text=describe(event), reason=event.reason)
        )
    entries.sort(key=_order)
    _show_each_reason_once(entries)
    return entries, dict(minutes)


def _show_each_reason_once(entries: list[Entry]) -> None:
    """One action that changed several fields (an escalation) shows its reason once, last."""
    for earlier, later in zip(entries, entries[1:], strict=False):
        if (
            earlier.event is not None
            and later.event is not None
            and earlier.reason
            and earlier.reason == later.reason
            and earlier.at == later.at
            and earlier.event.actor_id == later.event.actor_id
        ):
            earlier.reason = ""
