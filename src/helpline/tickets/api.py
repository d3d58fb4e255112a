"""Tickets over REST: thin handlers that validate, then call services and selectors."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from ninja import File, Form, Router
from ninja.files import UploadedFile

from helpline.accounts.models import Team, User
from helpline.accounts.services import find_or_create_requester
from helpline.api.auth import require_scope
from helpline.core.compiled import CompiledQuery
from helpline.core.pagination import paginate
from helpline.core.problems import NotFound, ServiceError
from helpline.tickets import custom_fields, selectors, services
from helpline.tickets.attachments import IncomingFile, check_size
from helpline.tickets.models import Attachment, Category, CustomField, Message, Ticket, TicketEvent
from helpline.tickets.schemas import (
    AttachmentOut,
    CategoryIn,
    CategoryOut,
    CategoryPatch,
    CustomFieldIn,
    CustomFieldOut,
    EscalateIn,
    EventOut,
    LinkIn,
    LinkOut,
    MergeIn,
    MessageIn,
    MessageOut,
    SplitIn,
    TicketIn,
    TicketOut,
    TicketPage,
    TicketPatch,
)
from helpline.tickets.views import attachment_download

router = Router(tags=["tickets"])


# --- shaping -----------------------------------------------------------------------


def _person(user: User | None) -> dict | None:
    return {"id": user.pk, "email": user.email, "full_name": user.full_name} if user else None


def _ref(obj: Any) -> dict | None:
    return {"id": obj.pk, "name": obj.name} if obj else None


def ticket_out(ticket: Ticket) -> dict:
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "subject": ticket.subject,
        "type": ticket.type,
        "status": ticket.status,
        "impact": ticket.impact,
        "urgency": ticket.urgency,
        "priority": ticket.priority,
        "priority_override_reason": ticket.priority_override_reason,
        "channel": ticket.channel,
        "category": _ref(ticket.category),
        "tags": sorted(tag.name for tag in ticket.tags.all()),
        "requester": _person(ticket.requester),
        "organization": _ref(ticket.organization),
        "team": _ref(ticket.team),
        "assignee": _person(ticket.assignee),
        "tier": ticket.tier,
        "custom_fields": ticket.custom_fields,
        # Requesters get the count without internal notes (see selectors.get_ticket).
        "message_count": getattr(ticket, "public_message_count", ticket.message_count),
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
        "first_response_due_at": ticket.first_response_due_at,
        "due_at": ticket.due_at,
        "first_responded_at": ticket.first_responded_at,
        "solved_at": ticket.solved_at,
        "closed_at": ticket.closed_at,
        "merged_into_id": ticket.merged_into_id,
    }


def attachment_out(attachment: Attachment) -> dict:
    return {
        "id": attachment.pk,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "message_id": attachment.message_id,
        "url": reverse("api-v1:download_attachment", args=[attachment.pk]),
        "created_at": attachment.created_at,
    }


def message_out(message: Message) -> dict:
    return {
        "id": message.pk,
        "kind": message.kind,
        "channel": message.channel,
        "author": _person(message.author),
        "body_text": message.body_text,
        "body_html": message.body_html,
        "created_at": message.created_at,
        "time_spent_minutes": message.time_spent_minutes,
        "attachments": [attachment_out(a) for a in message.attachments.all()],
    }


def event_out(event: TicketEvent) -> dict:
    return {
        "id": event.pk,
        "kind": event.kind,
        "field": event.field,
        "old_value": event.old_value,
        "new_value": event.new_value,
        "reason": event.reason,
        "source": event.source,
        "actor": _person(event.actor),
        "created_at": event.created_at,
    }


# --- lookups that turn ids into rows (422 when they do not exist) ---------------------


def _lookup(model, pk: int | None, field: str):
    if pk is None:
        return None
    obj = model.objects.filter(pk=pk).first()
    if obj is None:
        raise ServiceError(
            f"No {field} with id {pk}.",
            code="invalid-reference",
            status=422,
            errors=[{"field": field, "message": "does not exist"}],
        )
    return obj


# Every API ticket for someone else looks up the requester: compiled once.
_USER_BY_ID = CompiledQuery(
    lambda pk: User.objects.select_related("organization").filter(pk=pk).order_by(), pk=-1
)


def _requester(request: HttpRequest, payload: TicketIn) -> User:
    actor = request.user
    if payload.requester_id is not None:
        if payload.requester_id != actor.pk and not actor.is_agent:
            raise ServiceError(
                "Requesters can only open tickets for themselves.", code="forbidden", status=403
            )
        requester = _USER_BY_ID.first(pk=payload.requester_id)
        return requester or _lookup(User, payload.requester_id, "requester_id")
    if payload.requester_email:
        if not actor.is_agent and payload.requester_email.lower() != actor.email.lower():
            raise ServiceError(
                "Requesters can only open tickets for themselves.", code="forbidden", status=403
            )
        return find_or_create_requester(
            email=payload.requester_email, full_name=payload.requester_name
        )
    return actor


# --- tickets -----------------------------------------------------------------------


@router.post("/tickets", response={201: TicketOut}, summary="Open a ticket")
def create_ticket(request: HttpRequest, payload: TicketIn):
    require_scope(request, "tickets:write")
    data = services.NewTicket(
        subject=payload.subject,
        body=payload.body,
        body_html=payload.body_html,
        requester=_requester(request, payload),
        type=payload.type,
        category=_lookup(Category, payload.category_id, "category_id"),
        impact=payload.impact,
        urgency=payload.urgency,
        priority=payload.priority,
        priority_reason=payload.priority_reason,
        tags=payload.tags,
        custom_fields=payload.custom_fields,
        channel=payload.channel,
        team=_lookup(Team, payload.team_id, "team_id"),
        assignee=_lookup(User, payload.assignee_id, "assignee_id"),
        source="api",
    )
    if data.priority and not data.priority_reason.strip():
        raise ServiceError(
            "Overriding the priority needs a reason.",
            code="reason-required",
            status=422,
            errors=[{"field": "priority_reason", "message": "is required"}],
        )
    key = request.headers.get("Idempotency-Key", "").strip()
    if len(key) > 255:  # stored in 255 characters: a longer key could never be found again
        raise ServiceError(
            "The Idempotency-Key may be at most 255 characters.",
            code="invalid-idempotency-key",
            status=400,
        )
    ticket = services.create_ticket(request.user, data, idempotency_key=key)
    if key:  # possibly a replay: show the stored ticket as it is now
        ticket = _reload(request.user, pk=ticket.pk)
    return 201, ticket_out(ticket)


def _reload(actor: User, *, pk: int) -> Ticket:
    """A ticket as it is now, shaped for this viewer (not re-checked for visibility)."""
    tickets = Ticket.objects.for_list()
    if not actor.is_agent:
        tickets = tickets.with_public_message_count()
    return tickets.get(pk=pk)


_FILTER_TEXT = ("status", "priority", "type", "channel", "tier")


def _filtered(request: HttpRequest, tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    params = request.GET
    for name in _FILTER_TEXT:
        if params.get(name):
            tickets = tickets.filter(**{f"{name}__in": _choices(params[name], name)})
    for name in ("team", "requester", "category", "organization"):
        if params.get(name):
            tickets = tickets.filter(**{f"{name}_id__in": _ids(params[name], name)})
    assignee = params.get("assignee")
    if assignee == "me":
        tickets = tickets.filter(assignee_id=request.user.pk)
    elif assignee == "none":
        tickets = tickets.filter(assignee__isnull=True)
    elif assignee:
        tickets = tickets.filter(assignee_id__in=_ids(assignee, "assignee"))
    if params.get("tag"):
        tickets = tickets.filter(tags__name=params["tag"].strip().lower())
    if params.get("q"):
        text = params["q"].strip()[:200]
        number = text.lstrip("#")
        tickets = (
            tickets.filter(number=int(number))
            if number.isdigit() and len(number) <= 18
            else tickets.filter(subject__icontains=text)
        )
    for name, lookup in (
        ("created_after", "created_at__gte"),
        ("created_before", "created_at__lt"),
        ("updated_after", "updated_at__gte"),
        ("updated_before", "updated_at__lt"),
    ):
        if params.get(name):
            tickets = tickets.filter(**{lookup: _datetime(params[name], name)})
    for key, value in params.items():
        if key.startswith("cf_"):
            tickets = tickets.filter(custom_fields.filter_for(key[3:], value))
    return tickets


def _ids(raw: str, name: str) -> list[int]:
    try:
        ids = [int(part) for part in raw.split(",") if part.strip()]
    except ValueError as exc:
        raise ServiceError(
            f"{name} must be a comma-separated list of ids.", code="invalid-filter"
        ) from exc
    if any(not 0 < value < 2**63 for value in ids):
        raise ServiceError(f"{name} holds an id out of range.", code="invalid-filter")
    return ids


def _choices(raw: str, name: str) -> list[str]:
    """The comma-separated values of a choice filter, each one the field accepts."""
    allowed = {value for value, _label in Ticket._meta.get_field(name).choices if value}
    values = [part.strip() for part in raw.split(",") if part.strip()]
    unknown = sorted(set(values) - allowed)
    if unknown:
        raise ServiceError(
            f"{name} does not accept {', '.join(unknown)}; use one of {', '.join(sorted(allowed))}.",
            code="invalid-filter",
        )
    return values


def _datetime(raw: str, name: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError as exc:
        raise ServiceError(
            f"{name} must be an ISO 8601 date or date-time.", code="invalid-filter"
        ) from exc
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


@router.get(
    "/tickets", response=TicketPage, summary="List tickets with filters and cursor pagination"
)
def list_tickets(
    request: HttpRequest, cursor: str | None = None, limit: int = 50, sort: str = "-created"
):
    tickets = _filtered(request, Ticket.objects.visible_to(request.user).for_list())
    if not request.user.is_agent:
        tickets = tickets.with_public_message_count()
    page = paginate(
        tickets.distinct() if request.GET.get("tag") else tickets,
        sort=sort,
        cursor=cursor,
        limit=limit,
    )
    return {"items": [ticket_out(t) for t in page.items], "next_cursor": page.next_cursor}


@router.get("/tickets/{ticket_id}", response=TicketOut)
def get_ticket(request: HttpRequest, ticket_id: int):
    return ticket_out(selectors.get_ticket(request.user, ticket_id))


@router.patch(
    "/tickets/{ticket_id}",
    response=TicketOut,
    summary="Change fields or status; each change is recorded",
)
def update_ticket(request: HttpRequest, ticket_id: int, payload: TicketPatch):
    require_scope(request, "tickets:write")
    ticket = selectors.get_ticket(request.user, ticket_id)
    raw = payload.model_dump(exclude_unset=True)
    reason = raw.pop("reason", "")
    changes: dict[str, Any] = {}
    for name, value in raw.items():
        if name == "category_id":
            changes["category"] = _lookup(Category, value, name)
        elif name == "team_id":
            changes["team"] = _lookup(Team, value, name)
        elif name == "assignee_id":
            changes["assignee"] = _lookup(User, value, name)
        elif name == "tier":
            changes["tier"] = value or ""
        else:
            changes[name] = value
    services.update_ticket(request.user, ticket, changes, reason=reason, source="api")
    # Not re-checked for visibility: escalating to another team may take the ticket out of
    # the actor's queues, but they may still see the result of what they just did.
    return ticket_out(_reload(request.user, pk=ticket_id))


@router.post(
    "/tickets/{ticket_id}/merge", response=TicketOut, summary="Merge this ticket into another"
)
def merge_ticket(request: HttpRequest, ticket_id: int, payload: MergeIn):
    require_scope(request, "tickets:write")
    source = selectors.get_ticket(request.user, ticket_id)
    target = selectors.get_ticket(request.user, payload.into_id)
    services.merge_tickets(request.user, source, target, reason=payload.reason)
    return ticket_out(selectors.get_ticket(request.user, target.pk))


@router.post("/tickets/{ticket_id}/links", response={201: LinkOut})
def link_ticket(request: HttpRequest, ticket_id: int, payload: LinkIn):
    require_scope(request, "tickets:write")
    source = selectors.get_ticket(request.user, ticket_id)
    target = selectors.get_ticket(request.user, payload.target_id)
    link = services.link_tickets(request.user, source, target, payload.kind)
    return 201, {
        "id": link.pk,
        "source_id": link.source_id,
        "target_id": link.target_id,
        "kind": link.kind,
    }


@router.get("/tickets/{ticket_id}/messages", response=list[MessageOut])
def list_messages(request: HttpRequest, ticket_id: int):
    ticket = selectors.get_ticket(request.user, ticket_id)
    return [message_out(m) for m in selectors.messages_for(request.user, ticket)]


@router.post(
    "/tickets/{ticket_id}/messages",
    response={201: MessageOut},
    summary="Reply or add an internal note",
)
def add_message(request: HttpRequest, ticket_id: int, payload: MessageIn):
    require_scope(request, "tickets:write")
    ticket = selectors.get_ticket(request.user, ticket_id)
    message = services.add_message(
        request.user,
        ticket,
        body=payload.body,
        body_html=payload.body_html,
        kind=payload.kind,
        status=payload.status,
        channel="api",
        time_spent_minutes=payload.time_spent_minutes,
    )
    return 201, message_out(selectors.messages_for(request.user, ticket).get(pk=message.pk))


@router.get("/tickets/{ticket_id}/history", response=list[EventOut])
def ticket_history(request: HttpRequest, ticket_id: int):
    ticket = selectors.get_ticket(request.user, ticket_id)
    return [event_out(e) for e in selectors.history_for(request.user, ticket)]


@router.get("/tickets/{ticket_id}/attachments", response=list[AttachmentOut])
def list_attachments(request: HttpRequest, ticket_id: int):
    ticket = selectors.get_ticket(request.user, ticket_id)
    return [attachment_out(a) for a in selectors.attachments_for(request.user, ticket)]


@router.post(
    "/tickets/{ticket_id}/attachments", response={201: AttachmentOut}, summary="Upload a file"
)
def upload_attachment(
    request: HttpRequest,
    ticket_id: int,
    file: File[UploadedFile],
    message_id: Form[int | None] = None,
):
    require_scope(request, "tickets:write")
    ticket = selectors.get_ticket(request.user, ticket_id)
    message = None
    if message_id is not None:
        message = selectors.messages_for(request.user, ticket).filter(pk=message_id).first()
        if message is None:
            raise NotFound("No such message on this ticket.")
    check_size(file.name or "upload", file.size or 0)  # before reading it into memory
    incoming = IncomingFile(
        filename=file.name or "upload", content=file.read(), content_type=file.content_type or ""
    )
    attachment = services.add_attachment(request.user, ticket, incoming, message=message)
    return 201, attachment_out(attachment)


@router.get(
    "/attachments/{attachment_id}",
    url_name="download_attachment",
    summary="Download an attachment",
    response={200: None},
)
def download_attachment(request: HttpRequest, attachment_id: int):
    return attachment_download(request.user, attachment_id)


# --- categories and custom fields --------------------------------------------------


def _category_out(c: Category) -> dict:
    return {
        "id": c.pk,
        "name": c.name,
        "name_ru": c.name_ru,
        "slug": c.slug,
        "parent_id": c.parent_id,
        "default_team_id": c.default_team_id,
        "is_active": c.is_active,
    }


@router.get("/categories", response=list[CategoryOut], tags=["configuration"])
def list_categories(request: HttpRequest):
    return [_category_out(c) for c in Category.objects.order_by("id")]


@router.get("/categories/{category_id}", response=CategoryOut, tags=["configuration"])
def get_category(request: HttpRequest, category_id: int):
    category = Category.objects.filter(pk=category_id).first()
    if category is None:
        raise NotFound("No such category.")
    return _category_out(category)


@router.post("/categories", response={201: CategoryOut}, tags=["configuration"])
def create_category(request: HttpRequest, payload: CategoryIn):
    require_scope(request, "admin")
    return 201, _category_out(services.save_category(request.user, **payload.model_dump()))


@router.patch("/categories/{category_id}", response=CategoryOut, tags=["configuration"])
def update_category(request: HttpRequest, category_id: int, payload: CategoryPatch):
    require_scope(request, "admin")
    category = Category.objects.filter(pk=category_id).first()
    if category is None:
        raise NotFound("No such category.")
    return _category_out(
        services.save_category(request.user, category, **payload.model_dump(exclude_unset=True))
    )


def _custom_field_out(f: CustomField) -> dict:
    return {
        "id": f.pk,
        "key": f.key,
        "label": f.label,
        "label_ru": f.label_ru,
        "field_type": f.field_type,
        "choices": f.choices,
        "required": f.required,
        "ticket_type": f.ticket_type,
        "category_id": f.category_id,
        "is_active": f.is_active,
    }


@router.get("/custom-fields", response=list[CustomFieldOut], tags=["configuration"])
def list_custom_fields(request: HttpRequest):
    return [_custom_field_out(f) for f in CustomField.objects.all()]


@router.post("/custom-fields", response={201: CustomFieldOut}, tags=["configuration"])
def create_custom_field(request: HttpRequest, payload: CustomFieldIn):
    require_scope(request, "admin")
    data = payload.model_dump()
    data["category"] = _lookup(Category, data.pop("category_id"), "category_id")
    return 201, _custom_field_out(services.save_custom_field(request.user, **data))


@router.post(
    "/tickets/{ticket_id}/escalate",
    response=TicketOut,
    summary="Escalate (or de-escalate) to a tier with a reason and a handoff note",
)
def escalate_ticket(request: HttpRequest, ticket_id: int, payload: EscalateIn):
    require_scope(request, "tickets:write")
    ticket = selectors.get_ticket(request.user, ticket_id)
    services.escalate_ticket(
        request.user,
        ticket,
        tier=payload.tier,
        reason=payload.reason,
        team=_lookup(Team, payload.team_id, "team_id"),
        note=payload.note,
        source="api",
    )
    return ticket_out(_reload(request.user, pk=ticket_id))


@router.post(
    "/tickets/{ticket_id}/messages/{message_id}/split",
    response={201: TicketOut},
    summary="Open a new ticket from one message of this ticket",
)
def split_message(request: HttpRequest, ticket_id: int, message_id: int, payload: SplitIn):
    require_scope(request, "tickets:write")
    ticket = selectors.get_ticket(request.user, ticket_id)
    message = selectors.messages_for(request.user, ticket).filter(pk=message_id).first()
    if message is None:
        raise NotFound("No such message on this ticket.")
    new = services.split_message(request.user, ticket, message, subject=payload.subject)
    return 201, ticket_out(Ticket.objects.for_list().get(pk=new.pk))
