from django.db import models
from django.utils.translation import gettext_lazy as _


class TicketType(models.TextChoices):
    INCIDENT = "incident", _("Incident")
    SERVICE_REQUEST = "service_request", _("Service request")
    QUESTION = "question", _("Question")


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending on requester")
    ON_HOLD = "on_hold", _("On hold (third party)")
    SOLVED = "solved", _("Solved")
    CLOSED = "closed", _("Closed")


ACTIVE_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD)


class Level(models.TextChoices):
    """Impact and urgency share one three-step scale (ITIL)."""

    HIGH = "high", _("High")
    MEDIUM = "medium", _("Medium")
    LOW = "low", _("Low")


class Priority(models.TextChoices):
    P1 = "P1", _("P1 — critical")
    P2 = "P2", _("P2 — high")
    P3 = "P3", _("P3 — normal")
    P4 = "P4", _("P4 — low")


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    CHAT = "chat", _("Chat")
    PORTAL = "portal", _("Portal")
    API = "api", _("API")
    AGENT = "agent", _("Agent")
    MAINTENANCE = "maintenance", _("Maintenance plan")


class MessageKind(models.TextChoices):
    REPLY = "reply", _("Public reply")
    NOTE = "note", _("Internal note")


class LinkKind(models.TextChoices):
    RELATED = "related", _("Related")
    DUPLICATE = "duplicate", _("Duplicate of")
    PARENT = "parent", _("Parent of")


class EventKind(models.TextChoices):
    CREATED = "created", _("Created")
    FIELD_CHANGED = "field_changed", _("Field changed")
    STATUS_CHANGED = "status_changed", _("Status changed")
    PRIORITY_CHANGED = "priority_changed", _("Priority changed")
    ASSIGNED = "assigned", _("Assigned")
    TEAM_CHANGED = "team_changed", _("Team changed")
    TAGS_CHANGED = "tags_changed", _("Tags changed")
    CUSTOM_FIELD_CHANGED = "custom_field_changed", _("Custom field changed")
    REPLIED = "replied", _("Replied")
    NOTE_ADDED = "note_added", _("Internal note added")
    ATTACHMENT_ADDED = "attachment_added", _("Attachment added")
    MERGED = "merged", _("Merged")
    MERGED_INTO = "merged_into", _("Merged into another ticket")
    LINKED = "linked", _("Linked")
    REOPENED = "reopened", _("Reopened")
    AUTO_CLOSED = "auto_closed", _("Closed automatically")


class CustomFieldType(models.TextChoices):
    TEXT = "text", _("Text")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")
    MULTI_CHOICE = "multi_choice", _("Multiple choice")
    USER = "user", _("User")
