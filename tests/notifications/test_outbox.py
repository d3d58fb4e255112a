"""Outbound e-mail through the transactional outbox, against a real SMTP server on loopback."""

from __future__ import annotations

import email
import email.policy
import socket
import zoneinfo

import pytest
from aiosmtpd.controller import Controller
from django.db import transaction
from django.utils import timezone

from helpline.notifications.models import NotificationIntent, OutboundEmail
from helpline.notifications.services import deliver_due, expand_intents, process_outbox
from helpline.tickets import services
from helpline.tickets.attachments import IncomingFile
from helpline.tickets.choices import Status
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd hook name
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.HELPLINE_MAIL_DOMAIN = "desk.example.com"
    inbox.controller = controller

    def restart() -> None:  # a stopped aiosmtpd controller cannot start again: make a new one
        inbox.controller = Controller(inbox, hostname="127.0.0.1", port=port)
        inbox.controller.start()

    inbox.restart = restart
    yield inbox
    inbox.controller.stop()


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def test_new_ticket_acknowledgement_is_sent_to_the_requester(smtp, personas):
    ticket = make_ticket(personas.requester, subject="Принтер не печатает")

    counts = process_outbox()

    assert counts == {"queued": 1, "sent": 1, "retried": 0, "failed": 0}
    [message] = smtp.messages
    assert message["To"] == personas.requester.email
    assert (
        message["Subject"].strip()
        == f"[#{ticket.number}] We received your request: Принтер не печатает"
    )
    assert message["Auto-Submitted"] == "auto-replied"
    assert message["Message-ID"] == f"<hl.{ticket.number}.ack@desk.example.com>"
    assert f"#{ticket.number}" in text_of(message)
    assert "Hello Rita," in text_of(message)
    assert message.get_body(preferencelist=("html",)) is not None


def test_agent_reply_is_mailed_with_thread_headers_and_attachments(smtp, personas):
    ticket = make_ticket(personas.requester)
    personas.l1_team.email = "l1@desk.example.com"
    personas.l1_team.save()
    services.update_ticket(personas.l1_agent, ticket, {"team": personas.l1_team})
    process_outbox()
    smtp.messages.clear()

    reply = services.add_message(
        personas.l1_agent,
        ticket,
        body="Please restart the print spooler.",
        attachments=[IncomingFile("steps.bin", b"\x00\x01restart", "application/octet-stream")],
    )
    process_outbox()

    [message] = smtp.messages
    assert message["Message-ID"] == f"<hl.{ticket.number}.m{reply.pk}@desk.example.com>"
    assert message["In-Reply-To"] == f"<hl.{ticket.number}.root@desk.example.com>"
    assert message["Reply-To"] == "l1@desk.example.com"
    assert message["Auto-Submitted"] is None
    assert "restart the print spooler" in text_of(message)
    [attachment] = list(message.iter_attachments())
    assert attachment.get_filename() == "steps.bin"
    assert attachment.get_content() == b"\x00\x01restart"


def test_internal_notes_and_requester_replies_are_never_mailed_to_the_requester(smtp, personas):
    ticket = make_ticket(personas.requester)
    process_outbox()
    smtp.messages.clear()

    services.add_message(personas.l1_agent, ticket, body="Check the toner", kind="note")
    services.add_message(personas.requester, ticket, body="Any news?")
    process_outbox()

    assert smtp.messages == []


def test_auto_reply_mail_gets_no_acknowledgement(smtp, personas):
    data = services.NewTicket(
        subject="Out of office",
        body="I am away",
        requester=personas.requester,
        channel="email",
        suppress_autoreply=True,
    )
    services.create_ticket(personas.requester, data)

    assert process_outbox()["sent"] == 0
    assert NotificationIntent.objects.count() == 0


def test_rolled_back_change_leaves_no_notification(personas):
    with pytest.raises(RuntimeError), transaction.atomic():
        make_ticket(personas.requester)
        raise RuntimeError("boom")

    assert NotificationIntent.objects.count() == 0


def test_assignment_notifies_the_assignee_but_not_when_they_took_it_themselves(smtp, personas):
    ticket = make_ticket(personas.requester)
    services.assign_ticket(personas.l1_agent, ticket, assignee=personas.l1_agent)
    services.assign_ticket(personas.supervisor, ticket, assignee=personas.l2_agent)

    process_outbox()

    recipients = sorted(m["To"] for m in smtp.messages)
    assert recipients == sorted([personas.requester.email, personas.l2_agent.email])


def test_solved_status_is_mailed_to_the_requester(smtp, personas):
    ticket = make_ticket(personas.requester)
    services.change_status(personas.l1_agent, ticket, Status.SOLVED)

    process_outbox()

    subjects = [m["Subject"].strip() for m in smtp.messages]
    assert f"[#{ticket.number}] Status: Solved" in subjects


def test_smtp_down_then_up_delivers_exactly_once(smtp, personas):
    make_ticket(personas.requester)
    expand_intents()
    smtp.controller.stop()

    down = deliver_due()

    assert down == {"sent": 0, "retried": 1, "failed": 0}
    pending = OutboundEmail.objects.get()
    assert pending.status == "pending" and pending.attempts == 1 and pending.last_error
    smtp.restart()
    assert deliver_due() == {"sent": 0, "retried": 0, "failed": 0}  # not due yet: backoff
    OutboundEmail.objects.update(next_attempt_at=pending.created_at)

    up = deliver_due()
    again = deliver_due()

    assert up["sent"] == 1 and again["sent"] == 0
    assert len(smtp.messages) == 1
    assert OutboundEmail.objects.get().status == "sent"


def test_rendering_twice_never_queues_twice(smtp, personas):
    make_ticket(personas.requester)
    assert expand_intents() == 1
    NotificationIntent.objects.update(status="pending")

    assert expand_intents() == 0
    assert OutboundEmail.objects.count() == 1


def test_agent_replies_reach_cc_followers_and_skip_bounced_addresses(smtp, personas):
    from helpline.intake.models import BouncedAddress, TicketFollower

    ticket = make_ticket(personas.requester)
    TicketFollower.objects.create(ticket=ticket, email="boss@acme.example")
    TicketFollower.objects.create(ticket=ticket, email="gone@acme.example")
    BouncedAddress.objects.create(email="gone@acme.example")
    process_outbox()
    smtp.messages.clear()

    services.add_message(personas.l1_agent, ticket, body="Fixed: the toner was empty.")
    counts = process_outbox()

    assert sorted(m["To"] for m in smtp.messages) == ["boss@acme.example", personas.requester.email]
    assert counts["failed"] == 1
    assert (
        OutboundEmail.objects.get(to="gone@acme.example").last_error
        == "address bounced earlier; not sent"
    )


def test_acknowledgement_links_to_the_portal_page_and_shows_local_time(smtp, personas, settings):
    from django.test import Client

    settings.HELPLINE_SITE_URL = "https://desk.example.com"
    personas.requester.time_zone = "Asia/Vladivostok"  # UTC+10
    personas.requester.save()
    ticket = make_ticket(personas.requester)
    nameless = make_ticket(
        personas.other_requester.__class__.objects.create_user(email="anon@corp.example")
    )

    process_outbox()

    texts = {m["To"]: text_of(m) for m in smtp.messages}
    mine = texts[personas.requester.email]
    assert f"https://desk.example.com/portal/t/{ticket.number}/" in mine
    from django.utils.formats import date_format

    local = timezone.localtime(ticket.first_response_due_at, zoneinfo.ZoneInfo("Asia/Vladivostok"))
    assert f"First reply expected by: {date_format(local, 'DATETIME_FORMAT')}" in mine
    assert texts["anon@corp.example"].startswith("Hello,\r\n")
    client = Client()
    client.force_login(personas.requester)
    assert client.get(f"/portal/t/{ticket.number}/").status_code == 200
    assert nameless.number != ticket.number
