"""Which ticket an incoming e-mail belongs to.

First the Message-IDs it answers (In-Reply-To, then References, nearest first) are
looked up among the Message-IDs of our own messages; then a ticket number in the
subject ("[#1234]", "Ticket #1234", "Заявка № 1234"); otherwise it starts a new ticket.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from helpline.intake.email.parser import ParsedEmail
from helpline.tickets.models import Message, Ticket

_SUBJECT_NUMBER = re.compile(
    r"\[#(\d{1,12})\]"
    r"|(?:ticket|request|case|заявк[аиеуой]|обращени[еяю]|запрос)\s*(?:#|№|n[or]\.?)\s*(\d{1,12})",
    re.IGNORECASE,
)
BY_REFERENCE = "reference"
BY_SUBJECT = "subject"


@dataclass(frozen=True)
class Thread:
    ticket: Ticket | None
    matched_by: str = ""  # "reference" | "subject" | ""


def ticket_number_in_subject(subject: str) -> int | None:
    """The ticket number a subject carries, e.g. "Re: [#1234] Printer" -> 1234 (pure)."""
    match = _SUBJECT_NUMBER.search(subject or "")
    if not match:
        return None
    return int(match.group(1) or match.group(2))


def _id_variants(ids: tuple[str, ...]) -> list[str]:
    """Both "<id>" and "id": outbound code may store either."""
    return [variant for ref in ids for variant in (ref, ref.strip("<>"))]


def _follow_merges(ticket: Ticket) -> Ticket:
    """Mail to a ticket merged into another goes to the one it was merged into."""
    for _ in range(10):
        if ticket.merged_into_id is None:
            break
        ticket = Ticket.objects.get(pk=ticket.merged_into_id)
    return ticket


def find_thread(parsed: ParsedEmail) -> Thread:
    """The ticket this e-mail continues, and how it was recognised."""
    ids = parsed.thread_ids
    if ids:
        # The tickets come with the messages (one query); the newest message wins an id.
        found = {
            message.email_message_id: message.ticket
            for message in Message.objects.filter(email_message_id__in=_id_variants(ids))
            .select_related("ticket")
            .only("email_message_id", "ticket")
            .order_by("id")
        }
        for ref in ids:
            ticket = found.get(ref) or found.get(ref.strip("<>"))
            if ticket is not None:
                return Thread(_follow_merges(ticket), BY_REFERENCE)
    number = ticket_number_in_subject(parsed.subject)
    if number is not None:
        ticket = Ticket.objects.filter(number=number).first()
        if ticket is not None:
            return Thread(_follow_merges(ticket), BY_SUBJECT)
    return Thread(None)
