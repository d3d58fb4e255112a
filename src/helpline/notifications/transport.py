"""E-mail transport: one outbox row in, one SMTP submission out."""

from __future__ import annotations

import contextlib
from email.utils import formataddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from helpline.notifications.models import OutboundEmail
from helpline.tickets.models import Attachment


class TransportError(Exception):
    """The message was not accepted; the outbox will try again later."""


class EmailTransport:
    def __init__(self) -> None:
        self.connection = get_connection(fail_silently=False, timeout=15)

    def build(self, email: OutboundEmail) -> EmailMultiAlternatives:
        headers = {"Message-ID": email.message_id}
        if email.in_reply_to:
            headers["In-Reply-To"] = email.in_reply_to
        if email.references:
            headers["References"] = email.references
        if email.auto_submitted:
            headers["Auto-Submitted"] = email.auto_submitted
            # Ask Exchange and friends not to answer automatic mail with out-of-office.
            headers["X-Auto-Response-Suppress"] = "All"
        message = EmailMultiAlternatives(
            subject=email.subject,
            body=email.body_text,
            from_email=formataddr(("Helpline", settings.DEFAULT_FROM_EMAIL)),
            to=[email.to],
            reply_to=[email.reply_to] if email.reply_to else None,
            headers=headers,
            connection=self.connection,
        )
        if email.body_html:
            message.attach_alternative(email.body_html, "text/html")
        for attachment in Attachment.objects.filter(pk__in=email.attachment_ids):
            with attachment.file.open("rb") as handle:
                message.attach(attachment.filename, handle.read(), attachment.content_type)
        return message

    def send(self, email: OutboundEmail) -> None:
        try:
            self.build(email).send()
        except Exception as exc:  # SMTP, DNS, socket, storage: all mean "try again later"
            raise TransportError(f"{type(exc).__name__}: {exc}") from exc

    def close(self) -> None:
        # Closing a connection that already broke may fail too; nothing is lost by that.
        with contextlib.suppress(Exception):
            self.connection.close()
