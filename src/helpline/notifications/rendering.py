"""Turn a notification intent into e-mails, each in its recipient's language."""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass, field

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from helpline.accounts.models import User
from helpline.notifications.choices import NotificationKind
from helpline.notifications.models import NotificationIntent
from helpline.tickets.choices import Status
from helpline.tickets.models import Message, Ticket


@dataclass
class Draft:
    """An e-mail before it is stored in the outbox."""

    dedupe_key: str
    recipient: User
    subject: str
    body_text: str
    body_html: str
    message_id: str
    in_reply_to: str = ""
    references: str = ""
    auto_submitted: str = "auto-generated"
    attachment_ids: list[int] = field(default_factory=list)


def ticket_message_id(ticket: Ticket, suffix: str) -> str:
    return f"<hl.{ticket.number}.{suffix}@{settings.HELPLINE_MAIL_DOMAIN}>"


def thread_headers(ticket: Ticket) -> tuple[str, str]:
    """In-Reply-To and References that keep all mail about a ticket in one thread."""
    first = (
        Message.objects.filter(ticket=ticket)
        .order_by("created_at", "id")
        .values_list("email_message_id", flat=True)
        .first()
    )
    root = first or ticket_message_id(ticket, "root")
    return root, root


MENTION = re.compile(r"(?<![\w.])@([\w.+-]+@[\w-]+(?:\.[\w-]+)+)")


def mentioned_agents(text: str) -> list[User]:
    """Agents named as @their.address@example.com in a note."""
    addresses = {match.lower().rstrip(".") for match in MENTION.findall(text or "")}
    if not addresses:
        return []
    return [u for u in User.objects.filter(email__in=addresses, is_active=True) if u.is_agent]


@dataclass
class Follower:
    """Someone Cc'd on the ticket's mail who has no account: an address and a language."""

    email: str
    pk: int = 0
    language: str = "en"

    def get_short_name(self) -> str:
        return self.email.split("@")[0]

    def get_full_name(self) -> str:
        return self.email


def followers_of(ticket: Ticket) -> list:
    """Cc'd followers of the ticket, other than the requester (read from the e-mail channel)."""
    from helpline.intake.models import TicketFollower

    people = []
    for follower in TicketFollower.objects.filter(ticket=ticket).select_related("user"):
        if follower.email.lower() == ticket.requester.email.lower():
            continue
        people.append(follower.user or Follower(follower.email))
    return people


def links(ticket: Ticket) -> dict[str, str]:
    """Absolute links for e-mail: the requester's portal page and the agent's ticket page."""
    base = settings.HELPLINE_SITE_URL
    return {
        "site_url": base,
        "portal_url": base + reverse("portal:ticket", args=[ticket.number]),
        "agent_url": base + reverse("tickets:detail", args=[ticket.number]),
    }


def _zone(recipient) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(getattr(recipient, "time_zone", "") or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def subject_for(ticket: Ticket, text: str) -> str:
    return f"[#{ticket.number}] {text}"


def _render(template: str, context: dict) -> tuple[str, str]:
    text = render_to_string(f"notifications/email/{template}.txt", context).strip() + "\n"
    html = render_to_string(f"notifications/email/{template}.html", context)
    return text, html


def _draft(
    intent: NotificationIntent,
    recipient: User,
    template: str,
    subject: str,
    context: dict,
    *,
    message_id: str,
    auto_submitted: str = "auto-generated",
    attachment_ids=None,
) -> Draft:
    ticket = intent.ticket
    in_reply_to, references = thread_headers(ticket)
    context = {
        **links(ticket),
        "ticket": ticket,
        "recipient": recipient,
        "for_agent": getattr(recipient, "is_agent", False),
        **context,
    }
    with timezone.override(_zone(recipient)):
        text, html = _render(template, context)
    return Draft(
        dedupe_key=f"{intent.kind}:{intent.pk}:{recipient.pk}",
        recipient=recipient,
        subject=subject_for(ticket, subject),
        body_text=text,
        body_html=html,
        message_id=message_id,
        in_reply_to=in_reply_to,
        references=references,
        auto_submitted=auto_submitted,
        attachment_ids=attachment_ids or [],
    )


def drafts_for(intent: NotificationIntent) -> list[Draft]:
    """Every e-mail the intent turns into (none when there is nobody to tell)."""
    ticket = intent.ticket
    kind = intent.kind
    if kind == NotificationKind.ACKNOWLEDGEMENT:
        recipient = ticket.requester
        with translation.override(recipient.language):
            return [
                _draft(
                    intent,
                    recipient,
                    "ack",
                    _("We received your request: %(subject)s") % {"subject": ticket.subject},
                    {},
                    message_id=ticket_message_id(ticket, "ack"),
                    auto_submitted="auto-replied",
                )
            ]
    if kind == NotificationKind.AGENT_REPLY:
        message = intent.message
        if message is None or message.is_internal:
            return []
        attachment_ids = list(message.attachments.values_list("pk", flat=True))
        drafts = []
        for recipient in [ticket.requester, *followers_of(ticket)]:
            with translation.override(recipient.language):
                draft = _draft(
                    intent,
                    recipient,
                    "reply",
                    ticket.subject,
                    {"message": message},
                    message_id=ticket_message_id(ticket, f"m{message.pk}"),
                    auto_submitted="",
                    attachment_ids=attachment_ids,
                )
            if recipient is not ticket.requester:
                # One Message-ID per copy: followers get the same reply as a separate e-mail.
                draft.message_id = ticket_message_id(ticket, f"m{message.pk}.f{len(drafts)}")
                draft.dedupe_key = f"{draft.dedupe_key}:{recipient.email}"
            drafts.append(draft)
        return drafts
    if kind == NotificationKind.ASSIGNED:
        assignee = ticket.assignee
        # Only while the ticket is still theirs, and never for taking a ticket oneself.
        if (
            assignee is None
            or assignee.pk != intent.payload.get("assignee_id")
            or assignee.pk == intent.actor_id
        ):
            return []
        with translation.override(assignee.language):
            return [
                _draft(
                    intent,
                    assignee,
                    "assigned",
                    _("Assigned to you: %(subject)s") % {"subject": ticket.subject},
                    {"actor": intent.actor},
                    message_id=ticket_message_id(ticket, f"n{intent.pk}"),
                )
            ]
    if kind == NotificationKind.MENTION:
        message = intent.message
        if message is None:
            return []
        drafts = []
        for agent in mentioned_agents(message.body_text):
            if agent.pk == intent.actor_id:
                continue
            with translation.override(agent.language):
                drafts.append(
                    _draft(
                        intent,
                        agent,
                        "mention",
                        _("%(name)s mentioned you")
                        % {
                            "name": message.author.get_full_name() if message.author else "Helpline"
                        },
                        {"message": message},
                        message_id=ticket_message_id(ticket, f"n{intent.pk}.{agent.pk}"),
                    )
                )
        return drafts
    if kind == NotificationKind.STATUS_CHANGED:
        if (
            ticket.status not in (Status.SOLVED, Status.PENDING)
            or intent.actor_id == ticket.requester_id
        ):
            return []
        recipient = ticket.requester
        with translation.override(recipient.language):
            return [
                _draft(
                    intent,
                    recipient,
                    "status",
                    _("Status: %(status)s") % {"status": ticket.get_status_display()},
                    {},
                    message_id=ticket_message_id(ticket, f"n{intent.pk}"),
                )
            ]
    return []
