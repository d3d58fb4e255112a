"""Reads for other apps and views: the ledger row behind a message, and raw mail access."""

from __future__ import annotations

from helpline.accounts.models import User
from helpline.core.problems import NotFound
from helpline.intake.models import InboundEmail
from helpline.tickets.models import Attachment, Ticket


def may_auto_acknowledge(message_id: int) -> bool:
    """False when the message came from mail that must get no automatic answer
    (auto-reply, bounce, list/bulk mail, loop); True for everything else."""
    return not InboundEmail.objects.filter(
        message_id=message_id, suppress_auto_response=True
    ).exists()


def raw_email_for(user: User, ledger_id: int) -> InboundEmail:
    """A ledger row whose raw .eml the user may download: agents who see its ticket, and
    administrators (also for quarantined mail). Anything else is "not found"."""
    row = InboundEmail.objects.filter(pk=ledger_id).first()
    if row is None or not user.is_authenticated or not user.is_agent:
        raise NotFound("No such e-mail.")
    if user.is_admin:
        return row
    if row.ticket_id and Ticket.objects.visible_to(user).filter(pk=row.ticket_id).exists():
        return row
    raise NotFound("No such e-mail.")


def inline_attachment_id(ledger_id: int, content_id: str) -> int:
    """The attachment an inline cid: image of a received e-mail was stored as."""
    message_id = (
        InboundEmail.objects.filter(pk=ledger_id).values_list("message_id", flat=True).first()
    )
    attachment_id = (
        Attachment.objects.filter(message_id=message_id, content_id=content_id)
        .values_list("pk", flat=True)
        .first()
        if message_id
        else None
    )
    if attachment_id is None:
        raise NotFound("No such image.")
    return attachment_id
