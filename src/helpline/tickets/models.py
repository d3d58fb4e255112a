"""Tickets and everything recorded on them: messages, attachments, history, links."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helpline.accounts.choices import Tier
from helpline.tickets.choices import (
    ACTIVE_STATUSES,
    Channel,
    CustomFieldType,
    EventKind,
    Level,
    LinkKind,
    MessageKind,
    Priority,
    Status,
    TicketType,
)
from helpline.tickets.querysets import TicketQuerySet


class Category(models.Model):
    """A node of the category tree ("Hardware / Printers"); may route to a default team."""

    name = models.CharField(_("name"), max_length=120)
    name_ru = models.CharField(_("name in Russian"), max_length=120, blank=True)
    slug = models.SlugField(max_length=80, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    default_team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    required_skills = models.ManyToManyField("accounts.Skill", blank=True, related_name="+")
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["parent_id", "name"]
        verbose_name = _("category")
        verbose_name_plural = _("categories")

    def __str__(self) -> str:
        return self.name

    def localized_name(self, language: str) -> str:
        return self.name_ru if language == "ru" and self.name_ru else self.name


class Tag(models.Model):
    name = models.CharField(max_length=60, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CustomField(models.Model):
    """An administrator-defined ticket field, for all tickets or one type/category."""

    key = models.SlugField(max_length=60, unique=True)
    label = models.CharField(max_length=120)
    label_ru = models.CharField(max_length=120, blank=True)
    field_type = models.CharField(max_length=20, choices=CustomFieldType.choices)
    choices = models.JSONField(
        default=list, blank=True, help_text="Allowed values for choice fields"
    )
    required = models.BooleanField(default=False)
    ticket_type = models.CharField(max_length=20, choices=TicketType.choices, blank=True)
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.CASCADE, related_name="custom_fields"
    )
    is_active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "key"]

    def __str__(self) -> str:
        return self.key

    def applies_to(self, ticket_type: str, category_ids: set[int]) -> bool:
        if self.ticket_type and self.ticket_type != ticket_type:
            return False
        return self.category_id is None or self.category_id in category_ids


class TicketCounter(models.Model):
    """The last ticket number handed out, for databases without sequences (SQLite)."""

    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.value)


class Ticket(models.Model):
    """One request from a requester, worked through to resolution."""

    number = models.BigIntegerField(unique=True, editable=False)
    subject = models.CharField(_("subject"), max_length=250)
    type = models.CharField(
        _("type"), max_length=20, choices=TicketType.choices, default=TicketType.INCIDENT
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    impact = models.CharField(
        _("impact"), max_length=10, choices=Level.choices, default=Level.MEDIUM
    )
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Level.choices, default=Level.MEDIUM
    )
    priority = models.CharField(
        _("priority"), max_length=2, choices=Priority.choices, default=Priority.P3
    )
    priority_override_reason = models.CharField(max_length=250, blank=True)
    channel = models.CharField(
        _("channel"), max_length=20, choices=Channel.choices, default=Channel.PORTAL
    )
    category = models.ForeignKey(
        Category, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="tickets")
    # requester, team, assignee, Message.ticket and TicketEvent.ticket have no index of
    # their own: each leads a composite index in Meta.indexes, which serves the same
    # lookups, and every new ticket would maintain the extra index for nothing.
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="requested_tickets",
        db_index=False,
    )
    organization = models.ForeignKey(
        "accounts.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
        db_index=False,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
        db_index=False,
    )
    tier = models.CharField(_("tier"), max_length=2, choices=Tier.choices, default=Tier.L1)
    custom_fields = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    first_responded_at = models.DateTimeField(null=True, blank=True)
    solved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_tickets"
    )
    message_count = models.PositiveIntegerField(default=0)

    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            models.Index(fields=["status", "-id"], name="ticket_status_idx"),
            models.Index(fields=["team", "status", "-id"], name="ticket_team_queue_idx"),
            models.Index(fields=["assignee", "status", "-id"], name="ticket_assignee_queue_idx"),
            models.Index(fields=["requester", "-id"], name="ticket_requester_idx"),
            models.Index(fields=["-updated_at", "-id"], name="ticket_updated_idx"),
            models.Index(fields=["due_at"], name="ticket_due_idx"),
            # The workspace queues: only active tickets, in the lists' order, so "my open"
            # and "unassigned" stay a short index walk when closed tickets are the millions.
            models.Index(
                fields=["assignee", "-id"],
                condition=models.Q(status__in=ACTIVE_STATUSES),
                name="ticket_active_assignee_idx",
            ),
            models.Index(
                fields=["due_at"],
                condition=models.Q(status__in=ACTIVE_STATUSES),
                name="ticket_active_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.number} {self.subject}"

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def is_overdue(self, now=None) -> bool:
        now = now or timezone.now()
        return self.is_active and self.due_at is not None and self.due_at < now


class Message(models.Model):
    """A public reply or an internal note on a ticket, from any channel."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="messages", db_index=False
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    kind = models.CharField(max_length=10, choices=MessageKind.choices, default=MessageKind.REPLY)
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.PORTAL)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True, help_text="Sanitised HTML")
    created_at = models.DateTimeField(default=timezone.now)
    # E-mail threading: our own Message-ID for outgoing mail, the sender's for incoming.
    email_message_id = models.CharField(max_length=998, blank=True)
    email_in_reply_to = models.CharField(max_length=998, blank=True)
    email_references = models.TextField(blank=True)
    time_spent_minutes = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="message_ticket_idx"),
            # Threading looks Message-IDs up by equality only: a plain index, without the
            # pattern-matching twin that `db_index=True` adds on PostgreSQL.
            models.Index(fields=["email_message_id"], name="message_email_id_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on #{self.ticket_id}"

    @property
    def is_internal(self) -> bool:
        return self.kind == MessageKind.NOTE


def attachment_path(instance: Attachment, filename: str) -> str:
    # Stored under a random name: the user's file name never touches the file system.
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}"


class Attachment(models.Model):
    """A file on a ticket (optionally on one message), served only after a permission check."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments")
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=attachment_path, max_length=300)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=150, default="application/octet-stream")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    content_id = models.CharField(max_length=255, blank=True, help_text="cid: of an inline image")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.filename

    @property
    def is_internal(self) -> bool:
        return self.message is not None and self.message.is_internal


class TicketEvent(models.Model):
    """One change to a ticket: who, when, what, the old and the new value, and why."""

    ticket = models.ForeignKey(
        Ticket, on_delete=models.CASCADE, related_name="events", db_index=False
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    field = models.CharField(max_length=60, blank=True)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    reason = models.CharField(max_length=500, blank=True)
    source = models.CharField(
        max_length=30,
        blank=True,
        help_text="What made the change: api, web, email, triage, rule, schedule",
    )
    is_internal = models.BooleanField(default=False, help_text="Hidden from the requester")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["ticket", "created_at"], name="event_ticket_idx")]

    def __str__(self) -> str:
        return f"{self.kind} on #{self.ticket_id}"


class TicketLink(models.Model):
    """A typed link from one ticket to another (related, duplicate of, parent of)."""

    source = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(max_length=20, choices=LinkKind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "target", "kind"], name="unique_ticket_link")
        ]

    def __str__(self) -> str:
        return f"#{self.source_id} {self.kind} #{self.target_id}"


class IdempotencyKey(models.Model):
    """Remembers the ticket a client's Idempotency-Key created, so a retry returns it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="unique_idempotency_key")
        ]

    def __str__(self) -> str:
        return self.key


class SatisfactionRating(models.Model):
    """The requester's rating (1-5) of how a solved ticket was handled, with a comment."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="rating")
    rated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("satisfaction rating")
        verbose_name_plural = _("satisfaction ratings")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="rating_score_1_to_5"
            )
        ]

    def __str__(self) -> str:
        return f"{self.score}/5 on #{self.ticket_id}"


class SavedFilter(models.Model):
    """An agent's own named list view: a queue with filters and a sort, one click away."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_filters"
    )
    name = models.CharField(_("name"), max_length=80)
    query = models.CharField(max_length=500, help_text="The list's query string")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="unique_saved_filter_name")
        ]

    def __str__(self) -> str:
        return self.name
