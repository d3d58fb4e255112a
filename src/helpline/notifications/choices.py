from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    ACKNOWLEDGEMENT = "ack", _("Acknowledgement of a new ticket")
    AGENT_REPLY = "reply", _("Agent reply")
    STATUS_CHANGED = "status", _("Status change")
    ASSIGNED = "assigned", _("Assignment")
    SLA_WARNING = "sla_warning", _("SLA warning")
    MENTION = "mention", _("Mention")


class IntentStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    EXPANDED = "expanded", _("Rendered")
    SKIPPED = "skipped", _("Nothing to send")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Gave up")
