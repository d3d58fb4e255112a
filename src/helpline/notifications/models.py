"""The transactional outbox: what to tell whom, and every e-mail on its way out."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from helpline.notifications.choices import DeliveryStatus, IntentStatus, NotificationKind


class NotificationIntent(models.Model):
    """A notification owed because of a ticket change, written in the change's transaction.

    Rendering and sending happen later in the worker; because the intent commits or rolls
    back with the change itself, a committed change can never lose its notification.
    """

    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    message = models.ForeignKey(
        "tickets.Message", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    payload = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=20, choices=IntentStatus.choices, default=IntentStatus.PENDING
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["status", "id"], name="intent_status_idx")]

    def __str__(self) -> str:
        return f"{self.kind} for #{self.ticket_id}"


class OutboundEmail(models.Model):
    """One e-mail to one recipient, retried with backoff until the SMTP server takes it."""

    dedupe_key = models.CharField(
        max_length=200, unique=True, help_text="The same key is never sent twice"
    )
    intent = models.ForeignKey(
        NotificationIntent, null=True, blank=True, on_delete=models.SET_NULL, related_name="emails"
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    to = models.CharField(max_length=254)
    reply_to = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=300)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    message_id = models.CharField(max_length=300)
    in_reply_to = models.CharField(max_length=300, blank=True)
    references = models.TextField(blank=True)
    auto_submitted = models.CharField(max_length=30, blank=True)
    attachment_ids = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx")]

    def __str__(self) -> str:
        return f"{self.subject} -> {self.to}"


class WebhookDelivery(models.Model):
    """A JSON POST to a rule's webhook, retried with backoff like e-mail."""

    url = models.URLField(max_length=500)
    payload = models.JSONField()
    dedupe_key = models.CharField(max_length=200, unique=True)
    status = models.CharField(
        max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True)
    response_status = models.PositiveIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_due_idx")]

    def __str__(self) -> str:
        return f"POST {self.url}"
