"""Read queries for tickets, with authorisation and related rows built in."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from helpline.accounts.models import User
from helpline.core.problems import NotFound
from helpline.tickets.models import Attachment, Message, Ticket, TicketEvent


def get_ticket(actor: User, ticket_id: int) -> Ticket:
    tickets = Ticket.objects.visible_to(actor).for_list()
    if not actor.is_agent:  # requesters never learn how many internal notes there are
        tickets = tickets.with_public_message_count()
    ticket = tickets.filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound("No such ticket.")
    return ticket


def get_ticket_by_number(actor: User, number: int) -> Ticket:
    ticket = Ticket.objects.visible_to(actor).for_list().filter(number=number).first()
    if ticket is None:
        raise NotFound("No such ticket.")
    return ticket


def messages_for(actor: User, ticket: Ticket) -> QuerySet[Message]:
    """The conversation as this person may see it: requesters never see internal notes."""
    messages = (
        Message.objects.filter(ticket=ticket)
        .select_related("author")
        .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id")))
    )
    if not actor.is_agent:
        messages = messages.filter(kind="reply")
    return messages.order_by("created_at", "id")


def history_for(actor: User, ticket: Ticket) -> QuerySet[TicketEvent]:
    history = TicketEvent.objects.filter(ticket=ticket).select_related("actor")
    if not actor.is_agent:
        history = history.filter(is_internal=False)
    return history.order_by("created_at", "id")


def attachments_for(actor: User, ticket: Ticket) -> QuerySet[Attachment]:
    attachments = Attachment.objects.filter(ticket=ticket).select_related("message")
    if not actor.is_agent:
        attachments = attachments.exclude(message__kind="note")
    return attachments


def get_attachment(actor: User, attachment_id: int) -> Attachment:
    """An attachment the actor may download; anything else is 'not found', never 'forbidden'."""
    attachment = (
        Attachment.objects.select_related("message", "ticket").filter(pk=attachment_id).first()
    )
    if (
        attachment is None
        or not Ticket.objects.visible_to(actor).filter(pk=attachment.ticket_id).exists()
    ):
        raise NotFound("No such attachment.")
    if attachment.is_internal and not actor.is_agent:
        raise NotFound("No such attachment.")
    return attachment
