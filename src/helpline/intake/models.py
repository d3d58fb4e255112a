"""Intake records: mailboxes, the ledger of every e-mail received, followers, bounces."""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from helpline.intake.choices import InboundStatus


class Mailbox(models.Model):
    """An address Helpline receives mail at (support@, it@ ...); transports point here."""

    name = models.CharField(_("name"), max_length=100)
    address = models.EmailField(_("address"), unique=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    # Where new tickets from this address go.
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    category = models.ForeignKey(
        "tickets.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # IMAP(S) account polled by the worker; leave the host empty for mail delivered by
    # an MTA to `helpline mailserver` instead.
    imap_host = models.CharField(_("IMAP host"), max_length=255, blank=True)
    imap_port = models.PositiveIntegerField(_("IMAP port"), default=993)
    imap_use_ssl = models.BooleanField(_("IMAP over TLS"), default=True)
    imap_username = models.CharField(_("IMAP user name"), max_length=255, blank=True)
    imap_password = models.CharField(_("IMAP password"), max_length=255, blank=True)
    imap_folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    imap_processed_folder = models.CharField(
        _("move processed mail to"), max_length=255, blank=True, help_text=_("Empty: mark as read")
    )
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_poll_error = models.TextField(blank=True)

    class Meta:
        ordering = ["address"]
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")

    def __str__(self) -> str:
        return self.address

    def save(self, *args, **kwargs) -> None:
        self.address = self.address.strip().lower()
        super().save(*args, **kwargs)
        cache.delete("intake:mailbox-addresses")  # see email.pipeline.mailbox_addresses

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        cache.delete("intake:mailbox-addresses")
        return result

    @property
    def polls_imap(self) -> bool:
        return bool(self.is_active and self.imap_host and self.imap_username)


def raw_email_path(instance: InboundEmail, filename: str) -> str:
    return f"mail/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.eml"


class InboundEmail(models.Model):
    """The ledger: one row per distinct e-mail received, whatever became of it.

    `dedupe_key` (sha256 of the Message-ID, or of the raw bytes when there is none) is
    unique, so reading the same message twice creates nothing. The row is written in the
    same transaction as the ticket or message it produced. Quarantined rows keep the raw
    bytes and the error, for an administrator to retry after a fix.
    """

    dedupe_key = models.CharField(max_length=64, unique=True)
    email_message_id = models.CharField(max_length=998, blank=True)
    mailbox = models.ForeignKey(
        Mailbox, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    source = models.CharField(max_length=500, blank=True, help_text="Where it was read from")
    status = models.CharField(max_length=20, choices=InboundStatus.choices)
    sender = models.CharField(max_length=254, blank=True, db_index=False)
    subject = models.CharField(max_length=1000, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    size = models.PositiveIntegerField(default=0)
    raw = models.FileField(upload_to=raw_email_path, max_length=300, blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    message = models.OneToOneField(
        "tickets.Message",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_email",
    )
    cc = models.JSONField(default=list, blank=True)
    original_text = models.TextField(blank=True, help_text="Full text, quotes included")
    original_html = models.TextField(blank=True, help_text="Full sanitised HTML")
    is_auto_reply = models.BooleanField(default=False)
    is_bounce = models.BooleanField(default=False)
    is_bulk = models.BooleanField(default=False)
    suppress_auto_response = models.BooleanField(
        default=False, help_text="Never send an automatic acknowledgement for this mail"
    )
    auto_reasons = models.CharField(max_length=300, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("inbound e-mail")
        verbose_name_plural = _("inbound e-mails")
        indexes = [
            models.Index(fields=["sender", "received_at"], name="inbound_sender_idx"),
            models.Index(fields=["status", "-received_at"], name="inbound_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.sender}: {self.subject[:60]}"


class QuarantinedEmail(InboundEmail):
    """The ledger rows that could not be processed, as the administrators' work list."""

    class Meta:
        proxy = True
        verbose_name = _("quarantined e-mail")
        verbose_name_plural = _("quarantined e-mails")


class TicketFollower(models.Model):
    """An address Cc'd on a ticket's mail: kept so notifications can include it."""

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    email = models.EmailField()
    user = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ticket", "email"], name="unique_ticket_follower")
        ]

    def __str__(self) -> str:
        return f"{self.email} on #{self.ticket_id}"


class BouncedAddress(models.Model):
    """An address our mail bounced from: the outbound side stops or slows mail to it."""

    email = models.EmailField(unique=True)
    bounce_count = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=32, blank=True, help_text="DSN status, e.g. 5.1.1")
    diagnostic = models.CharField(max_length=500, blank=True)
    last_ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_bounced_at = models.DateTimeField(default=timezone.now)
    last_bounced_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-last_bounced_at"]
        verbose_name = _("bounced address")
        verbose_name_plural = _("bounced addresses")

    def __str__(self) -> str:
        return self.email

    @property
    def is_permanent(self) -> bool:
        return self.status.startswith("5")
