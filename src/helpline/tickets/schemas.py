from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field, field_validator

from helpline.accounts.choices import Tier
from helpline.api.schemas import StrictIn
from helpline.tickets.choices import (
    Channel,
    Level,
    LinkKind,
    MessageKind,
    Priority,
    Status,
    TicketType,
)


class Strict(StrictIn):
    """Request bodies refuse unknown fields and NUL characters."""


class TicketIn(Strict):
    subject: str = Field(min_length=1, max_length=250)
    body: str = Field(max_length=1_000_000)
    body_html: str = Field(default="", max_length=1_000_000)
    requester_id: int | None = None
    requester_email: str | None = Field(
        default=None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
    )
    requester_name: str = Field(default="", max_length=200)
    type: TicketType = TicketType.INCIDENT
    category_id: int | None = None
    impact: Level = Level.MEDIUM
    urgency: Level = Level.MEDIUM
    priority: Priority | None = None
    priority_reason: str = Field(default="", max_length=250)
    tags: list[str] = Field(default_factory=list, max_length=20)
    custom_fields: dict[str, Any] = Field(default_factory=dict)
    channel: Channel = Channel.API
    team_id: int | None = None
    assignee_id: int | None = None


class TicketPatch(Strict):
    subject: str | None = Field(default=None, min_length=1, max_length=250)
    type: TicketType | None = None
    status: Status | None = None
    category_id: int | None = None
    impact: Level | None = None
    urgency: Level | None = None
    priority: Priority | None = None
    priority_reason: str | None = Field(default=None, max_length=250)
    tags: list[str] | None = Field(default=None, max_length=20)
    custom_fields: dict[str, Any] | None = None
    team_id: int | None = None
    assignee_id: int | None = None
    tier: Tier | None = None
    due_at: dt.datetime | None = None
    reason: str = Field(default="", max_length=500)

    @field_validator("subject", "type", "status", "impact", "urgency", "tags", mode="before")
    @classmethod
    def _not_null(cls, value: Any) -> Any:
        # Leaving a field out keeps it; null would erase a value the ticket must have.
        if value is None:
            raise ValueError("may not be null; leave the field out to keep its value")
        return value


class Ref(BaseModel):
    id: int
    name: str


class PersonRef(BaseModel):
    id: int
    email: str
    full_name: str


class TicketOut(BaseModel):
    id: int
    number: int
    subject: str
    type: str
    status: str
    impact: str
    urgency: str
    priority: str
    priority_override_reason: str
    channel: str
    category: Ref | None
    tags: list[str]
    requester: PersonRef
    organization: Ref | None
    team: Ref | None
    assignee: PersonRef | None
    tier: str
    custom_fields: dict[str, Any]
    message_count: int
    created_at: dt.datetime
    updated_at: dt.datetime
    first_response_due_at: dt.datetime | None
    due_at: dt.datetime | None
    first_responded_at: dt.datetime | None
    solved_at: dt.datetime | None
    closed_at: dt.datetime | None
    merged_into_id: int | None


class TicketPage(BaseModel):
    items: list[TicketOut]
    next_cursor: str | None


class AttachmentOut(BaseModel):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    message_id: int | None
    url: str
    created_at: dt.datetime


class MessageIn(Strict):
    body: str = Field(default="", max_length=1_000_000)
    body_html: str = Field(default="", max_length=1_000_000)
    kind: MessageKind = MessageKind.REPLY
    status: Status | None = None
    time_spent_minutes: int = Field(default=0, ge=0, le=10_000)


class MessageOut(BaseModel):
    id: int
    kind: str
    channel: str
    author: PersonRef | None
    body_text: str
    body_html: str
    created_at: dt.datetime
    time_spent_minutes: int
    attachments: list[AttachmentOut]


class EventOut(BaseModel):
    id: int
    kind: str
    field: str
    old_value: str
    new_value: str
    reason: str
    source: str
    actor: PersonRef | None
    created_at: dt.datetime


class MergeIn(Strict):
    into_id: int
    reason: str = Field(default="", max_length=500)


class LinkIn(Strict):
    target_id: int
    kind: LinkKind = LinkKind.RELATED


class LinkOut(BaseModel):
    id: int
    source_id: int
    target_id: int
    kind: str


class CategoryOut(BaseModel):
    id: int
    name: str
    name_ru: str
    slug: str
    parent_id: int | None
    default_team_id: int | None
    is_active: bool


class CategoryIn(Strict):
    name: str = Field(min_length=1, max_length=120)
    name_ru: str = Field(default="", max_length=120)
    slug: str = Field(min_length=1, max_length=80, pattern=r"^[-a-z0-9_]+$")
    parent_id: int | None = None
    default_team_id: int | None = None
    is_active: bool = True


class CategoryPatch(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    name_ru: str | None = Field(default=None, max_length=120)
    parent_id: int | None = None
    default_team_id: int | None = None
    is_active: bool | None = None


class CustomFieldOut(BaseModel):
    id: int
    key: str
    label: str
    label_ru: str
    field_type: str
    choices: list[Any]
    required: bool
    ticket_type: str
    category_id: int | None
    is_active: bool


class CustomFieldIn(Strict):
    key: str = Field(min_length=1, max_length=60, pattern=r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
    label: str = Field(min_length=1, max_length=120)
    label_ru: str = Field(default="", max_length=120)
    field_type: str
    choices: list[str] = Field(default_factory=list, max_length=200)
    required: bool = False
    ticket_type: TicketType | None = None
    category_id: int | None = None


class EscalateIn(StrictIn):
    tier: Tier
    reason: str = Field(min_length=1, max_length=500)
    team_id: int | None = None
    note: str = Field(default="", max_length=20_000)


class SplitIn(StrictIn):
    subject: str = Field(default="", max_length=250)
