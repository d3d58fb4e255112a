"""The outbox: render pending intents into e-mails, then deliver them with retries.

Nothing is lost: intents commit with the ticket change; e-mails stay pending until the
SMTP server accepts them. Nothing is sent twice: each e-mail has a unique dedupe key and
is marked sent right after the server accepts it; a worker claims a batch by pushing
its next attempt into the future (a lease), so a crashed worker's batch is retried.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from helpline.notifications.choices import DeliveryStatus, IntentStatus
from helpline.notifications.models import NotificationIntent, OutboundEmail
from helpline.notifications.rendering import drafts_for
from helpline.notifications.transport import EmailTransport, TransportError

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 30
LEASE = dt.timedelta(minutes=5)
FIRST_RETRY = dt.timedelta(seconds=30)
LONGEST_RETRY = dt.timedelta(minutes=30)


def retry_delay(attempts: int) -> dt.timedelta:
    """30 s, 1 min, 2 min ... capped at 30 min: 30 attempts span more than ten hours."""
    return min(LONGEST_RETRY, FIRST_RETRY * (2 ** max(0, attempts - 1)))


def failed_attempt(previous_attempts: int, error: Exception, now) -> dict:
    """The row update after a failed delivery: back off, or give up after MAX_ATTEMPTS."""
    attempts = previous_attempts + 1
    return {
        "attempts": attempts,
        "last_error": str(error)[:2000],
        "next_attempt_at": now + retry_delay(attempts),
        "status": DeliveryStatus.FAILED if attempts >= MAX_ATTEMPTS else DeliveryStatus.PENDING,
    }


def expand_intents(limit: int = 200) -> int:
    """Render pending intents into outbox e-mails. Returns how many e-mails were queued."""
    queued = 0
    pending = NotificationIntent.objects.filter(status=IntentStatus.PENDING).order_by("id")[:limit]
    for intent_id in list(pending.values_list("pk", flat=True)):
        with transaction.atomic():
            intent = (
                NotificationIntent.objects.select_for_update(of=("self",))
                .select_related(
                    "ticket__requester",
                    "ticket__assignee",
                    "ticket__team",
                    "message__author",
                    "actor",
                )
                .filter(pk=intent_id, status=IntentStatus.PENDING)
                .first()
            )
            if intent is None:
                continue
            drafts = drafts_for(intent)
            team_address = (
                intent.ticket.team.email
                if intent.ticket.team_id and intent.ticket.team.email
                else ""
            )
            for draft in drafts:
                try:
                    with transaction.atomic():
                        OutboundEmail.objects.create(
                            dedupe_key=draft.dedupe_key,
                            intent=intent,
                            ticket=intent.ticket,
                            to=draft.recipient.email,
                            reply_to=team_address,
                            subject=draft.subject[:300],
                            body_text=draft.body_text,
                            body_html=draft.body_html,
                            message_id=draft.message_id,
                            in_reply_to=draft.in_reply_to,
                            references=draft.references,
                            auto_submitted=draft.auto_submitted,
                            attachment_ids=draft.attachment_ids,
                        )
                    queued += 1
                except IntegrityError:
                    logger.info("outbox already holds %s", draft.dedupe_key)
            intent.status = IntentStatus.EXPANDED if drafts else IntentStatus.SKIPPED
            intent.save(update_fields=["status"])
    return queued


def _claim_due(limit: int) -> list[OutboundEmail]:
    now = timezone.now()
    with transaction.atomic():
        due = OutboundEmail.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=now
        ).order_by("id")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        batch = list(due[:limit])
        if batch:
            OutboundEmail.objects.filter(pk__in=[e.pk for e in batch]).update(
                next_attempt_at=now + LEASE
            )
    return batch


def deliver_due(limit: int = 100, transport: EmailTransport | None = None) -> dict[str, int]:
    """Send what is due. Returns counts of sent, retried and failed e-mails."""
    counts = {"sent": 0, "retried": 0, "failed": 0}
    batch = _claim_due(limit)
    if not batch:
        return counts
    transport = transport or EmailTransport()
    try:
        for email in batch:
            _deliver_one(email, transport, counts)
    finally:
        transport.close()
    return counts


def _bounced(address: str) -> bool:
    from helpline.intake.models import BouncedAddress

    return BouncedAddress.objects.filter(email__iexact=address).exists()


def _deliver_one(email: OutboundEmail, transport: EmailTransport, counts: dict[str, int]) -> None:
    now = timezone.now()
    if _bounced(email.to):
        # Mail to this address bounced before: do not keep hitting it (agents see why).
        OutboundEmail.objects.filter(pk=email.pk).update(
            status=DeliveryStatus.FAILED, last_error="address bounced earlier; not sent"
        )
        counts["failed"] += 1
        return
    try:
        transport.send(email)
    except TransportError as exc:
        update = failed_attempt(email.attempts, exc, now)
        OutboundEmail.objects.filter(pk=email.pk).update(**update)
        counts["failed" if update["status"] == DeliveryStatus.FAILED else "retried"] += 1
        attempts = update["attempts"]
        logger.warning(
            "e-mail %s to %s not sent (attempt %d): %s", email.pk, email.to, attempts, exc
        )
        return
    OutboundEmail.objects.filter(pk=email.pk).update(
        status=DeliveryStatus.SENT, sent_at=now, attempts=email.attempts + 1, last_error=""
    )
    counts["sent"] += 1


def queue_plain_email(*, to: str, subject: str, body: str, dedupe_key: str, ticket=None) -> bool:
    """Queue a one-off e-mail (rules' "notify" action). False if the key was queued before."""
    from helpline.notifications.rendering import subject_for, ticket_message_id

    digest = hashlib.sha1(dedupe_key.encode(), usedforsecurity=False).hexdigest()[:16]
    try:
        with transaction.atomic():
            OutboundEmail.objects.create(
                dedupe_key=dedupe_key[:200],
                ticket=ticket,
                to=to,
                subject=(subject_for(ticket, subject) if ticket else subject)[:300],
                body_text=body,
                message_id=ticket_message_id(ticket, f"r{digest}")
                if ticket
                else f"<hl.{digest}@{settings.HELPLINE_MAIL_DOMAIN}>",
                auto_submitted="auto-generated",
            )
        return True
    except IntegrityError:
        return False


def process_outbox() -> dict[str, int]:
    """The periodic job: render what is owed, then send due e-mails and webhooks."""
    from helpline.notifications.webhooks import deliver_webhooks

    queued = expand_intents()
    counts = deliver_due()
    hooks = deliver_webhooks()
    return {"queued": queued, **counts, **{f"webhooks_{k}": v for k, v in hooks.items() if v}}
