"""The only code that creates or changes tickets and messages.

Every function opens its own transaction, records each change as a TicketEvent, and
announces the change (tickets.events) after commit. Views, the API, intake adapters,
the scheduler and tests all come through here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from helpline.accounts.choices import Tier
from helpline.accounts.models import Team, User
from helpline.core import compiled
from helpline.core.problems import Conflict, Forbidden, NotFound, ServiceError
from helpline.core.sanitize import html_to_text, sanitize_html, text_to_html
from helpline.tickets import events, workflow
from helpline.tickets.attachments import IncomingFile, store_attachment
from helpline.tickets.choices import (
    Channel,
    EventKind,
    Level,
    LinkKind,
    MessageKind,
    Priority,
    Status,
    TicketType,
)
from helpline.tickets.custom_fields import forget_definitions, validate_custom_fields
from helpline.tickets.models import (
    Category,
    IdempotencyKey,
    Message,
    Tag,
    Ticket,
    TicketEvent,
    TicketLink,
)
from helpline.tickets.numbering import next_ticket_number, number_in_insert
from helpline.tickets.priority import priority_for

MAX_TAGS = 20
MAX_BODY_CHARS = 1_000_000

# Default response and resolution targets by priority, in calendar hours, until an SLA
# policy (the sla app) sets due dates on business calendars.
DEFAULT_TARGETS_HOURS: dict[str, tuple[int, int]] = {
    Priority.P1: (1, 4),
    Priority.P2: (4, 24),
    Priority.P3: (8, 72),
    Priority.P4: (24, 120),
}


@dataclass
class EmailHeaders:
    """Threading headers kept with a message that came or went by e-mail."""

    message_id: str = ""
    in_reply_to: str = ""
    references: str = ""


@dataclass
class NewTicket:
    """Everything a channel may say about a new ticket; only subject and body are required."""

    subject: str
    body: str = ""
    body_html: str = ""
    requester: User | None = None
    type: str = TicketType.INCIDENT
    category: Category | None = None
    impact: str = Level.MEDIUM
    urgency: str = Level.MEDIUM
    priority: str | None = None
    priority_reason: str = ""
    tags: Sequence[str] = ()
    custom_fields: dict[str, Any] = field(default_factory=dict)
    channel: str = Channel.API
    team: Team | None = None
    assignee: User | None = None
    email: EmailHeaders | None = None
    attachments: Sequence[IncomingFile] = ()
    created_at: dt.datetime | None = None
    source: str = ""
    # True for mail that must never get an automatic answer (auto-replies, bounces, lists).
    suppress_autoreply: bool = False
    # The queue a channel is configured to feed (e.g. a mailbox's team): set by the
    # channel's configuration, never by the requester, so it is allowed for any actor.
    channel_team: Team | None = None


# --- helpers -----------------------------------------------------------------------


def _clean_subject(subject: str) -> str:
    subject = " ".join((subject or "").split())
    if not subject:
        raise ServiceError(
            "The subject must not be empty.",
            code="invalid-subject",
            status=422,
            errors=[{"field": "subject", "message": "must not be empty"}],
        )
    return subject[:250]


def _bodies(text: str, html: str) -> tuple[str, str]:
    """Plain text and sanitised HTML for a message, whichever the channel gave."""
    if len(text) > MAX_BODY_CHARS or len(html) > MAX_BODY_CHARS:
        raise ServiceError("The message is too long.", code="body-too-long", status=422)
    if html:
        safe_html = sanitize_html(html)
        return (text or html_to_text(safe_html)), safe_html
    return text, text_to_html(text)


def _clean_tags(names: Iterable[str]) -> list[str]:
    cleaned = sorted(
        {" ".join(name.split()).lower()[:60] for name in names if name and name.strip()}
    )
    if len(cleaned) > MAX_TAGS:
        raise ServiceError(
            f"A ticket may have at most {MAX_TAGS} tags.", code="too-many-tags", status=422
        )
    return cleaned


def _tag_objects(names: list[str]) -> list[Tag]:
    if not names:
        return []
    existing = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    missing = [Tag(name=name) for name in names if name not in existing]
    if missing:
        Tag.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    return [existing[name] for name in names]


def _event(
    ticket: Ticket,
    actor: User | None,
    kind: str,
    *,
    field: str = "",
    old: Any = "",
    new: Any = "",
    reason: str = "",
    source: str = "",
    internal: bool = False,
    at: dt.datetime | None = None,
) -> TicketEvent:
    return TicketEvent(
        ticket=ticket,
        actor=actor,
        kind=kind,
        field=field,
        old_value="" if old is None else str(old),
        new_value="" if new is None else str(new),
        reason=reason[:500],
        source=source,
        is_internal=internal,
        created_at=at or timezone.now(),
    )


def _apply_default_targets(ticket: Ticket, now: dt.datetime) -> None:
    respond_hours, resolve_hours = DEFAULT_TARGETS_HOURS[ticket.priority]
    ticket.first_response_due_at = ticket.created_at + dt.timedelta(hours=respond_hours)
    ticket.due_at = ticket.created_at + dt.timedelta(hours=resolve_hours)


def _require_agent(actor: User) -> None:
    if not actor.is_agent:
        raise Forbidden("Only agents may do this.")


def _require_visible(actor: User, ticket: Ticket) -> None:
    if not Ticket.objects.visible_to(actor).filter(pk=ticket.pk).exists():
        raise NotFound("No such ticket.")


# --- creating ----------------------------------------------------------------------


def create_ticket(actor: User, data: NewTicket, *, idempotency_key: str = "") -> Ticket:
    """Open a ticket with its first message. With an idempotency key, a retry returns the first ticket."""
    if idempotency_key:
        previous = (
            IdempotencyKey.objects.filter(user=actor, key=idempotency_key)
            .select_related("ticket")
            .first()
        )
        if previous is not None:
            return previous.ticket
    try:
        return _create_ticket(actor, data, idempotency_key)
    except IntegrityError:
        if not idempotency_key:
            raise
        # A concurrent retry with the same key won the race: return its ticket.
        return IdempotencyKey.objects.get(user=actor, key=idempotency_key).ticket


@transaction.atomic
def _create_ticket(actor: User, data: NewTicket, idempotency_key: str) -> Ticket:
    requester = data.requester or actor
    if requester.pk != actor.pk and not actor.is_agent:
        raise Forbidden("Requesters can only open tickets for themselves.")
    if not actor.is_agent and (data.team or data.assignee or data.priority):
        raise Forbidden("Only agents may set the team, assignee or priority.")
    subject = _clean_subject(data.subject)
    text, html = _bodies(data.body, data.body_html)
    if data.assignee is not None and not data.assignee.is_agent:
        raise ServiceError(
            "Tickets can only be assigned to agents.", code="invalid-assignee", status=422
        )
    tags = _clean_tags(data.tags)
    custom = validate_custom_fields(data.type, data.category, data.custom_fields)
    now = timezone.now()
    created_at = data.created_at or now
    priority = data.priority or priority_for(data.impact, data.urgency)
    team = (
        data.team
        or data.channel_team
        or (data.category.default_team if data.category and data.category.default_team_id else None)
    )
    number_sql = number_in_insert()
    ticket = Ticket(
        number=None if number_sql else next_ticket_number(),
        subject=subject,
        type=data.type,
        status=Status.NEW,
        impact=data.impact,
        urgency=data.urgency,
        priority=priority,
        priority_override_reason=data.priority_reason if data.priority else "",
        channel=data.channel,
        category=data.category,
        requester=requester,
        organization=requester.organization if requester.organization_id else None,
        team=team,
        assignee=data.assignee,
        tier=(team.tier if team and team.tier else Tier.L1),
        custom_fields=custom,
        created_at=created_at,
        updated_at=created_at,
        message_count=1,
    )
    _apply_default_targets(ticket, now)
    # The rows of a new ticket are INSERTed with SQL compiled once (helpline.core.compiled):
    # compiling them afresh cost more CPU than the database spends on them.
    compiled.insert(ticket, computed=number_sql)
    headers = data.email or EmailHeaders()
    message = Message(
        ticket=ticket,
        author=requester,
        kind=MessageKind.REPLY,
        channel=data.channel,
        body_text=text,
        body_html=html,
        created_at=created_at,
        email_message_id=headers.message_id,
        email_in_reply_to=headers.in_reply_to,
        email_references=headers.references,
    )
    compiled.insert(message)
    history = [
        _event(
            ticket,
            actor,
            EventKind.CREATED,
            new=ticket.number,
            source=data.source or data.channel,
            at=created_at,
        )
    ]
    if data.priority:
        history.append(
            _event(
                ticket,
                actor,
                EventKind.PRIORITY_CHANGED,
                field="priority",
                old=priority_for(data.impact, data.urgency),
                new=priority,
                reason=data.priority_reason,
                at=created_at,
            )
        )
    if data.assignee is not None:
        history.append(
            _event(
                ticket,
                actor,
                EventKind.ASSIGNED,
                field="assignee",
                new=data.assignee.email,
                at=created_at,
            )
        )
    if len(history) == 1:
        compiled.insert(history[0])
    else:
        TicketEvent.objects.bulk_create(history)
    tag_objects = _tag_objects(tags)
    if tag_objects:
        ticket.tags.add(*tag_objects)
    # The caller usually shows the new ticket at once: it need not query what we just wrote.
    tags_seen = ticket.tags.all()
    tags_seen._result_cache, tags_seen._prefetch_done = list(tag_objects), True
    ticket._prefetched_objects_cache = {"tags": tags_seen}
    for incoming in data.attachments:
        store_attachment(ticket=ticket, message=message, incoming=incoming, uploaded_by=requester)
    if idempotency_key:
        IdempotencyKey.objects.create(user=actor, key=idempotency_key[:255], ticket=ticket)
    events.publish(
        events.TicketChange(
            "created",
            ticket.pk,
            actor.pk,
            message_id=message.pk,
            extra={"requester_id": requester.pk, "suppress_autoreply": data.suppress_autoreply},
        )
    )
    return ticket


# --- messages ----------------------------------------------------------------------


@transaction.atomic
def add_message(
    actor: User,
    ticket: Ticket,
    *,
    body: str = "",
    body_html: str = "",
    kind: str = MessageKind.REPLY,
    channel: str = Channel.AGENT,
    status: str | None = None,
    attachments: Sequence[IncomingFile] = (),
    email: EmailHeaders | None = None,
    time_spent_minutes: int = 0,
    created_at: dt.datetime | None = None,
) -> Message:
    """Add a public reply or an internal note, moving the status the way the reply implies."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if not actor.is_agent:
        _require_visible(actor, ticket)
        if kind != MessageKind.REPLY or status not in (None, Status.SOLVED):
            raise Forbidden("Requesters can only add public replies.")
    text, html = _bodies(body, body_html)
    if not text.strip() and not attachments:
        raise ServiceError(
            "The message is empty.",
            code="empty-message",
            status=422,
            errors=[{"field": "body", "message": "must not be empty"}],
        )
    if workflow.is_final(ticket.status):
        raise Conflict(
            "This ticket is closed; closed tickets are final. Open a new ticket instead.",
            code="ticket-closed",
        )
    now = created_at or timezone.now()
    headers = email or EmailHeaders()
    message = Message.objects.create(
        ticket=ticket,
        author=actor,
        kind=kind,
        channel=channel,
        body_text=text,
        body_html=html,
        created_at=now,
        email_message_id=headers.message_id,
        email_in_reply_to=headers.in_reply_to,
        email_references=headers.references,
        time_spent_minutes=max(0, time_spent_minutes),
    )
    for incoming in attachments:
        store_attachment(ticket=ticket, message=message, incoming=incoming, uploaded_by=actor)
    history = [
        _event(
            ticket,
            actor,
            EventKind.REPLIED if kind == MessageKind.REPLY else EventKind.NOTE_ADDED,
            new=message.pk,
            source=channel,
            internal=kind == MessageKind.NOTE,
            at=now,
        )
    ]
    updates: dict[str, Any] = {"updated_at": now, "message_count": F("message_count") + 1}
    is_requester_reply = ticket.requester_id == actor.pk and not actor.is_agent
    if kind == MessageKind.REPLY:
        if actor.is_agent and ticket.requester_id != actor.pk:
            if ticket.first_responded_at is None:
                updates["first_responded_at"] = now
            next_status = status or workflow.status_after_agent_reply(ticket.status)
        elif is_requester_reply or not actor.is_agent:
            next_status = status or workflow.status_after_requester_reply(ticket.status)
        else:
            next_status = status or ticket.status
    else:
        next_status = status or ticket.status
    if next_status != ticket.status:
        history.extend(_status_change(ticket, actor, next_status, "", updates, now, source=channel))
    Ticket.objects.filter(pk=ticket.pk).update(**updates)
    TicketEvent.objects.bulk_create(history)
    events.publish(
        events.TicketChange(
            "message_added",
            ticket.pk,
            actor.pk,
            message_id=message.pk,
            extra={"kind": kind, "requester_id": ticket.requester_id},
        )
    )
    return message


def _status_change(
    ticket: Ticket,
    actor: User | None,
    target: str,
    reason: str,
    updates: dict[str, Any],
    now: dt.datetime,
    *,
    source: str = "",
) -> list[TicketEvent]:
    """Validate a status move and fill `updates` with its timestamps; returns its events."""
    if target not in Status.values:
        raise ServiceError(f"Unknown status {target!r}.", code="invalid-status", status=422)
    if not workflow.can_transition(ticket.status, target):
        raise Conflict(
            f"A ticket cannot go from {ticket.status} to {target}.", code="invalid-transition"
        )
    updates["status"] = target
    kind = EventKind.STATUS_CHANGED
    if target == Status.SOLVED:
        updates["solved_at"] = now
    elif target == Status.CLOSED:
        updates["closed_at"] = now
    elif ticket.status == Status.SOLVED:
        kind = EventKind.REOPENED
        updates["solved_at"] = None
    return [
        _event(
            ticket,
            actor,
            kind,
            field="status",
            old=ticket.status,
            new=target,
            reason=reason,
            source=source,
            at=now,
        )
    ]


# --- changing fields ---------------------------------------------------------------

AGENT_FIELDS = frozenset(
    {
        "subject",
        "type",
        "category",
        "impact",
        "urgency",
        "priority",
        "priority_reason",
        "tags",
        "custom_fields",
        "team",
        "assignee",
        "tier",
        "status",
        "due_at",
    }
)
REQUESTER_FIELDS = frozenset({"status"})


@transaction.atomic
def update_ticket(
    actor: User, ticket: Ticket, changes: dict[str, Any], *, reason: str = "", source: str = ""
) -> Ticket:
    """Change any of a ticket's fields; each change becomes a history event."""
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("team", "assignee", "category")
        .get(pk=ticket.pk)
    )
    _require_visible(actor, ticket)
    allowed = AGENT_FIELDS if actor.is_agent else REQUESTER_FIELDS
    refused = sorted(set(changes) - allowed)
    if refused:
        raise Forbidden(f"You may not change: {', '.join(refused)}.")
    if not actor.is_agent and changes.get("status") not in (Status.SOLVED, Status.OPEN):
        raise Forbidden("Requesters can only mark a ticket solved or reopen it.")
    if not actor.is_agent and ticket.requester_id != actor.pk:
        # colleagues see an organization's shared tickets, but the request is not theirs
        raise Forbidden("Only the requester may mark this ticket solved or reopen it.")
    if workflow.is_final(ticket.status):
        raise Conflict("This ticket is closed; closed tickets are final.", code="ticket-closed")
    now = timezone.now()
    updates: dict[str, Any] = {}
    history: list[TicketEvent] = []

    def record(
        field_name: str, old: Any, new: Any, kind: str = EventKind.FIELD_CHANGED, why: str = ""
    ) -> None:
        history.append(
            _event(
                ticket,
                actor,
                kind,
                field=field_name,
                old=old,
                new=new,
                reason=why or reason,
                source=source,
                at=now,
            )
        )

    if "subject" in changes:
        subject = _clean_subject(changes["subject"])
        if subject != ticket.subject:
            record("subject", ticket.subject, subject)
            updates["subject"] = subject
    for name in ("type", "impact", "urgency", "tier"):
        if name in changes and changes[name] != getattr(ticket, name):
            record(name, getattr(ticket, name), changes[name])
            updates[name] = changes[name]
    if "category" in changes and changes["category"] != ticket.category:
        record("category", ticket.category, changes["category"])
        updates["category"] = changes["category"]
    _priority_updates(ticket, changes, updates, record)
    if "team" in changes and changes["team"] != ticket.team:
        record("team", ticket.team, changes["team"], EventKind.TEAM_CHANGED)
        updates["team"] = changes["team"]
    if "assignee" in changes and changes["assignee"] != ticket.assignee:
        assignee = changes["assignee"]
        if assignee is not None and not assignee.is_agent:
            raise ServiceError(
                "Tickets can only be assigned to agents.", code="invalid-assignee", status=422
            )
        record(
            "assignee",
            ticket.assignee.email if ticket.assignee else "",
            assignee.email if assignee else "",
            EventKind.ASSIGNED,
        )
        updates["assignee"] = assignee
    if "due_at" in changes and changes["due_at"] != ticket.due_at:
        record(
            "due_at",
            ticket.due_at.isoformat() if ticket.due_at else "",
            changes["due_at"].isoformat() if changes["due_at"] else "",
        )
        updates["due_at"] = changes["due_at"]
    if "custom_fields" in changes or "category" in updates or "type" in updates:
        # A new type or category may bring required fields or drop others: revalidate.
        _custom_field_updates(ticket, changes, updates, record)
    if "tags" in changes:
        _tag_updates(ticket, actor, changes["tags"], history, now, reason, source)
    if "status" in changes and changes["status"] != ticket.status:
        history.extend(
            _status_change(ticket, actor, changes["status"], reason, updates, now, source=source)
        )
    if not history:
        return ticket
    updates["updated_at"] = now
    for name, value in updates.items():
        setattr(ticket, name, value)
    ticket.save(update_fields=[name for name in updates if name != "priority_reason"])
    TicketEvent.objects.bulk_create(history)
    events.publish(
        events.TicketChange(
            "updated",
            ticket.pk,
            actor.pk,
            fields=tuple(
                sorted([*updates, *(["tags"] if getattr(ticket, "_tags_changed", False) else [])])
            ),
            extra={"requester_id": ticket.requester_id, "assignee_id": ticket.assignee_id},
        )
    )
    return ticket


def _priority_updates(
    ticket: Ticket, changes: dict[str, Any], updates: dict[str, Any], record
) -> None:
    impact = updates.get("impact", ticket.impact)
    urgency = updates.get("urgency", ticket.urgency)
    if changes.get("priority"):
        reason = (changes.get("priority_reason") or "").strip()
        if not reason:
            raise ServiceError(
                "Overriding the priority needs a reason.",
                code="reason-required",
                status=422,
                errors=[{"field": "priority_reason", "message": "is required"}],
            )
        target, override = changes["priority"], reason
    elif "impact" in updates or "urgency" in updates:
        target, override = priority_for(impact, urgency), ""
    else:
        return
    if target not in Priority.values:
        raise ServiceError(f"Unknown priority {target!r}.", code="invalid-priority", status=422)
    if target != ticket.priority:
        record("priority", ticket.priority, target, EventKind.PRIORITY_CHANGED, override)
        updates["priority"] = target
    updates["priority_override_reason"] = override


def _custom_field_updates(
    ticket: Ticket, changes: dict[str, Any], updates: dict[str, Any], record
) -> None:
    category = updates.get("category", ticket.category)
    ticket_type = updates.get("type", ticket.type)
    cleaned = validate_custom_fields(
        ticket_type, category, changes.get("custom_fields") or {}, existing=ticket.custom_fields
    )
    for key in sorted(set(cleaned) | set(ticket.custom_fields)):
        old, new = ticket.custom_fields.get(key), cleaned.get(key)
        if old != new:
            record(
                f"custom_fields.{key}",
                "" if old is None else old,
                "" if new is None else new,
                EventKind.CUSTOM_FIELD_CHANGED,
            )
    if cleaned != ticket.custom_fields:
        updates["custom_fields"] = cleaned


def _tag_updates(
    ticket: Ticket,
    actor: User,
    names: Iterable[str],
    history: list[TicketEvent],
    now: dt.datetime,
    reason: str,
    source: str,
) -> None:
    wanted = _clean_tags(names)
    current = sorted(ticket.tags.values_list("name", flat=True))
    if wanted != current:
        ticket.tags.set(_tag_objects(wanted))
        ticket._tags_changed = True
        history.append(
            _event(
                ticket,
                actor,
                EventKind.TAGS_CHANGED,
                field="tags",
                old=", ".join(current),
                new=", ".join(wanted),
                reason=reason,
                source=source,
                at=now,
            )
        )


def change_status(
    actor: User, ticket: Ticket, status: str, *, reason: str = "", source: str = ""
) -> Ticket:
    return update_ticket(actor, ticket, {"status": status}, reason=reason, source=source)


def assign_ticket(
    actor: User,
    ticket: Ticket,
    *,
    assignee: User | None,
    team: Team | None = None,
    reason: str = "",
    source: str = "",
) -> Ticket:
    _require_agent(actor)
    changes: dict[str, Any] = {"assignee": assignee}
    if team is not None:
        changes["team"] = team
    return update_ticket(actor, ticket, changes, reason=reason, source=source)


# --- merging and linking -----------------------------------------------------------


@transaction.atomic
def merge_tickets(actor: User, source: Ticket, target: Ticket, *, reason: str = "") -> Ticket:
    """Fold `source` into `target`: its messages move over, and it is closed pointing at target."""
    _require_agent(actor)
    if source.pk == target.pk:
        raise ServiceError("A ticket cannot be merged into itself.", code="merge-self", status=422)
    locked = {
        t.pk: t for t in Ticket.objects.select_for_update().filter(pk__in=[source.pk, target.pk])
    }
    source, target = locked[source.pk], locked[target.pk]
    for ticket in (source, target):
        _require_visible(actor, ticket)
    if target.status == Status.CLOSED:
        raise Conflict("Cannot merge into a closed ticket.", code="ticket-closed")
    if source.merged_into_id is not None:
        raise Conflict("This ticket is already merged.", code="already-merged")
    now = timezone.now()
    moved = Message.objects.filter(ticket=source).update(ticket=target)
    source.attachments.update(ticket=target)
    Ticket.objects.filter(pk=target.pk).update(
        message_count=F("message_count") + moved, updated_at=now
    )
    Ticket.objects.filter(pk=source.pk).update(
        merged_into=target, status=Status.CLOSED, closed_at=now, updated_at=now, message_count=0
    )
    TicketEvent.objects.bulk_create(
        [
            _event(
                target,
                actor,
                EventKind.MERGED,
                field="merged",
                new=source.number,
                reason=reason,
                at=now,
            ),
            _event(
                source,
                actor,
                EventKind.MERGED_INTO,
                field="status",
                old=source.status,
                new=Status.CLOSED,
                reason=f"merged into #{target.number}" + (f": {reason}" if reason else ""),
                at=now,
            ),
        ]
    )
    events.publish(
        events.TicketChange("merged", target.pk, actor.pk, extra={"source_id": source.pk})
    )
    target.refresh_from_db()
    return target


@transaction.atomic
def link_tickets(actor: User, source: Ticket, target: Ticket, kind: str) -> TicketLink:
    _require_agent(actor)
    if kind not in LinkKind.values:
        raise ServiceError(f"Unknown link kind {kind!r}.", code="invalid-link", status=422)
    if source.pk == target.pk:
        raise ServiceError("A ticket cannot be linked to itself.", code="link-self", status=422)
    for ticket in (source, target):
        _require_visible(actor, ticket)
    link, created = TicketLink.objects.get_or_create(
        source=source, target=target, kind=kind, defaults={"created_by": actor}
    )
    if created:
        TicketEvent.objects.bulk_create(
            [
                _event(source, actor, EventKind.LINKED, field=kind, new=target.number),
                _event(target, actor, EventKind.LINKED, field=f"{kind}:reverse", new=source.number),
            ]
        )
    return link


@transaction.atomic
def add_attachment(
    actor: User, ticket: Ticket, incoming: IncomingFile, *, message: Message | None = None
):
    """Attach a file to a ticket, outside any message (e.g. an upload from the API)."""
    _require_visible(actor, ticket)
    if workflow.is_final(ticket.status):
        raise Conflict("This ticket is closed.", code="ticket-closed")
    attachment = store_attachment(
        ticket=ticket, message=message, incoming=incoming, uploaded_by=actor
    )
    TicketEvent.objects.create(
        ticket=ticket,
        actor=actor,
        kind=EventKind.ATTACHMENT_ADDED,
        new_value=attachment.filename,
        is_internal=bool(message and message.is_internal),
    )
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=timezone.now())
    return attachment


# --- periodic ----------------------------------------------------------------------


def close_solved_tickets(now: dt.datetime | None = None) -> int:
    """Close tickets solved longer ago than TICKET_AUTO_CLOSE_DAYS. Returns how many."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.TICKET_AUTO_CLOSE_DAYS)
    closed = 0
    ids = list(
        Ticket.objects.filter(status=Status.SOLVED, solved_at__lt=cutoff).values_list(
            "pk", flat=True
        )[:1000]
    )
    for ticket_id in ids:
        with transaction.atomic():
            ticket = Ticket.objects.select_for_update().get(pk=ticket_id)
            if ticket.status != Status.SOLVED:
                continue
            Ticket.objects.filter(pk=ticket_id).update(
                status=Status.CLOSED, closed_at=now, updated_at=now
            )
            TicketEvent.objects.create(
                ticket=ticket,
                kind=EventKind.AUTO_CLOSED,
                field="status",
                old_value=Status.SOLVED,
                new_value=Status.CLOSED,
                source="schedule",
                reason=f"solved more than {settings.TICKET_AUTO_CLOSE_DAYS} days ago",
            )
            events.publish(events.TicketChange("updated", ticket_id, None, fields=("status",)))
            closed += 1
    return closed


# --- configuration: categories and custom fields -------------------------------------


def _require_admin(actor: User) -> None:
    if not actor.is_admin:
        raise Forbidden("Only administrators may do this.")


@transaction.atomic
def save_category(actor: User, category: Category | None = None, **fields: Any) -> Category:
    """Create or change a category; the tree may not loop."""
    _require_admin(actor)
    category = category or Category()
    for name in ("name", "name_ru", "slug", "parent_id", "default_team_id", "is_active"):
        if name in fields:
            setattr(category, name, fields[name])
    if Category.objects.filter(slug=category.slug).exclude(pk=category.pk).exists():
        raise Conflict("A category with this slug already exists.", code="duplicate-slug")
    if category.default_team_id and not Team.objects.filter(pk=category.default_team_id).exists():
        raise ServiceError("No such team.", code="invalid-team", status=422)
    seen = {category.pk}
    parent_id = category.parent_id
    while parent_id is not None:
        if parent_id in seen:
            raise ServiceError(
                "A category cannot be its own ancestor.", code="category-loop", status=422
            )
        seen.add(parent_id)
        parent = Category.objects.filter(pk=parent_id).values_list("parent_id", flat=True).first()
        if parent is None and not Category.objects.filter(pk=parent_id).exists():
            raise ServiceError("No such parent category.", code="invalid-parent", status=422)
        parent_id = parent
    category.save()
    return category


@transaction.atomic
def save_custom_field(actor: User, **fields: Any):
    from helpline.tickets.choices import CustomFieldType
    from helpline.tickets.models import CustomField

    _require_admin(actor)
    if fields["field_type"] not in CustomFieldType.values:
        raise ServiceError(
            f"Unknown field type {fields['field_type']!r}.", code="invalid-field-type", status=422
        )
    if fields["field_type"] in (
        CustomFieldType.CHOICE,
        CustomFieldType.MULTI_CHOICE,
    ) and not fields.get("choices"):
        raise ServiceError(
            "Choice fields need a list of choices.", code="choices-required", status=422
        )
    if CustomField.objects.filter(key=fields["key"]).exists():
        raise Conflict("A custom field with this key already exists.", code="duplicate-key")
    fields["ticket_type"] = fields.get("ticket_type") or ""
    custom_field = CustomField.objects.create(**fields)
    forget_definitions()  # this transaction sees the new field at once; others after commit
    transaction.on_commit(forget_definitions)
    return custom_field


# --- satisfaction --------------------------------------------------------------------


@transaction.atomic
def rate_ticket(actor: User, ticket: Ticket, score: int, comment: str = ""):
    """Record (or change) the requester's satisfaction rating of a solved or closed ticket."""
    from helpline.tickets.models import SatisfactionRating

    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    _require_visible(actor, ticket)
    if ticket.requester_id != actor.pk:
        raise Forbidden("Only the requester may rate a ticket.")
    if ticket.status not in (Status.SOLVED, Status.CLOSED):
        raise Conflict("Only solved tickets can be rated.", code="not-solved")
    if not 1 <= int(score) <= 5:
        raise ServiceError("The score must be from 1 to 5.", code="invalid-score", status=422)
    comment = (comment or "").strip()[:5000]
    rating, _created = SatisfactionRating.objects.update_or_create(
        ticket=ticket, defaults={"score": int(score), "comment": comment, "rated_by": actor}
    )
    TicketEvent.objects.create(
        ticket=ticket,
        actor=actor,
        kind=EventKind.FIELD_CHANGED,
        field="satisfaction",
        new_value=str(rating.score),
        reason=comment[:500],
        source="portal",
    )
    events.publish(events.TicketChange("updated", ticket.pk, actor.pk, fields=("satisfaction",)))
    return rating


@transaction.atomic
def add_system_note(
    ticket: Ticket,
    body: str,
    *,
    source: str,
    attachments: Sequence[IncomingFile] = (),
    email: EmailHeaders | None = None,
) -> Message:
    """An internal note written by Helpline itself (no author), e.g. a bounced notification
    or mail from someone not on the ticket; it never changes the ticket's status."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if workflow.is_final(ticket.status):
        raise Conflict("This ticket is closed.", code="ticket-closed")
    text, html = _bodies(body, "")
    now = timezone.now()
    headers = email or EmailHeaders()
    message = Message.objects.create(
        ticket=ticket,
        kind=MessageKind.NOTE,
        channel=Channel.EMAIL if source == "email" else Channel.API,
        body_text=text,
        body_html=html,
        created_at=now,
        email_message_id=headers.message_id,
        email_in_reply_to=headers.in_reply_to,
        email_references=headers.references,
    )
    for incoming in attachments:
        store_attachment(ticket=ticket, message=message, incoming=incoming, uploaded_by=None)
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=now, message_count=F("message_count") + 1)
    TicketEvent.objects.create(
        ticket=ticket,
        kind=EventKind.NOTE_ADDED,
        new_value=str(message.pk),
        source=source,
        is_internal=True,
        created_at=now,
    )
    events.publish(
        events.TicketChange(
            "message_added",
            ticket.pk,
            None,
            message_id=message.pk,
            extra={"kind": MessageKind.NOTE, "requester_id": ticket.requester_id},
        )
    )
    return message


# --- SLA (called by helpline.sla, which computes the dates on business calendars) ------


@transaction.atomic
def set_sla_targets(
    ticket_id: int,
    *,
    first_response_due_at: dt.datetime | None,
    due_at: dt.datetime | None,
    policy_name: str,
    reason: str,
) -> bool:
    """Set the due dates an SLA policy computed; each change is a history event (source "sla")."""
    ticket = (
        Ticket.objects.select_for_update().only("first_response_due_at", "due_at").get(pk=ticket_id)
    )
    now = timezone.now()
    why = f"{policy_name}: {reason}" if policy_name else reason
    wanted = {"first_response_due_at": first_response_due_at, "due_at": due_at}
    changed = {name: value for name, value in wanted.items() if getattr(ticket, name) != value}
    if not changed:
        return False
    history = [
        _event(
            ticket,
            None,
            EventKind.FIELD_CHANGED,
            field=name,
            old=getattr(ticket, name).isoformat() if getattr(ticket, name) else "",
            new=value.isoformat() if value else "",
            reason=why,
            source="sla",
            at=now,
        )
        for name, value in changed.items()
    ]
    Ticket.objects.filter(pk=ticket_id).update(**changed)
    TicketEvent.objects.bulk_create(history)
    events.publish(
        events.TicketChange(
            "updated", ticket_id, None, fields=tuple(changed), extra={"source": "sla"}
        )
    )
    return True


def record_sla_event(
    ticket_id: int,
    *,
    field: str,
    new_value: str,
    reason: str = "",
    at: dt.datetime | None = None,
) -> TicketEvent:
    """An SLA warning or breach in the ticket's history (internal, source "sla"); `at`
    dates it when it is recorded after the fact."""
    return TicketEvent.objects.create(
        ticket_id=ticket_id,
        kind=EventKind.FIELD_CHANGED,
        field=field[:60],
        new_value=new_value,
        reason=reason[:500],
        source="sla",
        is_internal=True,
        created_at=at or timezone.now(),
    )


@transaction.atomic
def escalate_for_sla(
    ticket_id: int, *, priority: str | None = None, tier: str | None = None, reason: str
) -> None:
    """Raise the priority or move the tier of a ticket whose SLA was breached."""
    ticket = Ticket.objects.select_for_update().only("priority", "tier").get(pk=ticket_id)
    now = timezone.now()
    updates: dict[str, Any] = {}
    history = []
    if priority and priority != ticket.priority:
        updates.update(priority=priority, priority_override_reason=reason[:250])
        history.append(
            _event(
                ticket,
                None,
                EventKind.PRIORITY_CHANGED,
                field="priority",
                old=ticket.priority,
                new=priority,
                reason=reason,
                source="sla",
                at=now,
            )
        )
    if tier and tier != ticket.tier:
        updates["tier"] = tier
        history.append(
            _event(
                ticket,
                None,
                EventKind.FIELD_CHANGED,
                field="tier",
                old=ticket.tier,
                new=tier,
                reason=reason,
                source="sla",
                at=now,
            )
        )
    if not updates:
        return
    Ticket.objects.filter(pk=ticket_id).update(updated_at=now, **updates)
    TicketEvent.objects.bulk_create(history)
    events.publish(
        events.TicketChange(
            "updated", ticket_id, None, fields=tuple(sorted(updates)), extra={"source": "sla"}
        )
    )


# --- auto-triage (called by helpline.dispatch, which owns the classifier) -------------

TRIAGE_FIELDS = frozenset({"category", "team"})


@transaction.atomic
def apply_triage(
    ticket_id: int,
    changes: dict[str, Any],
    *,
    confidence: float | dict[str, float],
    model_version: int,
) -> list[str]:
    """Set the category/team the triage model is confident about; returns the fields set.

    A field someone already filled (the requester's category, an agent's team) is never
    overwritten, nor is a closed ticket touched. Each change is a history event with no
    actor and source "triage", its reason naming the model version and confidence.
    """
    refused = sorted(set(changes) - TRIAGE_FIELDS)
    if refused:
        raise ServiceError(f"Triage may not set: {', '.join(refused)}.", code="invalid-field")
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("category", "team")
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None or workflow.is_final(ticket.status) or ticket.merged_into_id:
        return []
    now = timezone.now()
    updates: dict[str, Any] = {}
    history: list[TicketEvent] = []
    for name in sorted(changes):
        value = changes[name]
        if value is None or getattr(ticket, f"{name}_id") is not None:
            continue
        sure = confidence[name] if isinstance(confidence, dict) else confidence
        updates[name] = value
        history.append(
            _event(
                ticket,
                None,
                EventKind.TEAM_CHANGED if name == "team" else EventKind.FIELD_CHANGED,
                field=name,
                old="",
                new=value,
                reason=f"auto-triage v{model_version}, confidence {sure:.2f}",
                source="triage",
                at=now,
            )
        )
    category = updates.get("category")
    if category is not None and ticket.team_id is None and "team" not in updates:
        # as when a ticket is created with a category: its default team takes it
        default_team = category.default_team if category.default_team_id else None
        if default_team is not None:
            updates["team"] = default_team
            history.append(
                _event(
                    ticket,
                    None,
                    EventKind.TEAM_CHANGED,
                    field="team",
                    old="",
                    new=default_team,
                    reason=f"default team of the category set by auto-triage v{model_version}",
                    source="triage",
                    at=now,
                )
            )
    if not updates:
        return []
    Ticket.objects.filter(pk=ticket_id).update(updated_at=now, **updates)
    TicketEvent.objects.bulk_create(history)
    events.publish(
        events.TicketChange(
            "updated", ticket_id, None, fields=tuple(sorted(updates)), extra={"source": "triage"}
        )
    )
    return sorted(updates)


# --- escalation ----------------------------------------------------------------------

TIER_ORDER = (Tier.L1, Tier.L2, Tier.L3)


@transaction.atomic
def escalate_ticket(
    actor: User,
    ticket: Ticket,
    *,
    tier: str,
    reason: str,
    team: Team | None = None,
    note: str = "",
    source: str = "",
) -> Ticket:
    """Move a ticket to another tier (L1 -> L2 -> L3, or back down) with a reason and a handoff note.

    The ticket goes to `team` or the first team of that tier, loses its assignee so the new
    team's routing picks it up, and the handoff note is kept as an internal note.
    """
    _require_agent(actor)
    if tier not in TIER_ORDER:
        raise ServiceError(f"Unknown tier {tier!r}.", code="invalid-tier", status=422)
    if not reason or not reason.strip():
        raise ServiceError(
            "Escalation needs a reason.",
            code="reason-required",
            status=422,
            errors=[{"field": "reason", "message": "is required"}],
        )
    if team is None:
        team = Team.objects.filter(tier=tier).order_by("id").first()
    if team is None or team.tier != tier:
        raise ServiceError(f"No team serves tier {tier}.", code="no-team-for-tier", status=422)
    ticket = Ticket.objects.get(pk=ticket.pk)
    if tier == ticket.tier and team.pk == ticket.team_id:
        raise Conflict(f"The ticket is already with {team.name}.", code="already-there")
    updated = update_ticket(
        actor,
        ticket,
        {"team": team, "tier": tier, "assignee": None},
        reason=reason.strip(),
        source=source or "escalation",
    )
    if note.strip():
        add_message(actor, updated, body=note.strip(), kind=MessageKind.NOTE, channel=Channel.AGENT)
    return updated


# --- splitting -----------------------------------------------------------------------


@transaction.atomic
def split_message(actor: User, ticket: Ticket, message: Message, *, subject: str = "") -> Ticket:
    """Open a new ticket from one message of a ticket (a second problem raised in a reply).

    The message stays where it was; the new ticket starts with its text and files, is
    linked as a child of the original, and both histories say so.
    """
    _require_agent(actor)
    _require_visible(actor, ticket)
    if message.ticket_id != ticket.pk:
        raise NotFound("No such message on this ticket.")
    author = message.author
    requester = author if author is not None and not author.is_agent else ticket.requester
    files = [
        IncomingFile(a.filename, a.file.open("rb").read(), a.content_type)
        for a in message.attachments.all()
    ]
    new = create_ticket(
        actor,
        NewTicket(
            subject=subject.strip() or f"{ticket.subject} (#{ticket.number})",
            body=message.body_text,
            body_html=message.body_html,
            requester=requester,
            type=ticket.type,
            category=ticket.category,
            impact=ticket.impact,
            urgency=ticket.urgency,
            channel=message.channel,
            team=ticket.team,
            attachments=files,
            source="split",
        ),
    )
    link_tickets(actor, ticket, new, LinkKind.PARENT)
    add_message(
        actor,
        ticket,
        body=f"Split into #{new.number}: {new.subject}",
        kind=MessageKind.NOTE,
        channel=Channel.AGENT,
    )
    return new
