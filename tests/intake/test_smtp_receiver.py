"""The built-in SMTP/LMTP receiver, driven by Python's real smtplib client."""

from __future__ import annotations

import smtplib
import socket
from email.message import EmailMessage

import pytest

from helpline.intake.email import receiver
from helpline.tickets.models import Ticket

pytestmark = pytest.mark.django_db(transaction=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def mail(message_id: str = "<lmtp-1@corp.example>") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Ольга Петрова <olga@corp.example>"
    message["To"] = "support@helpline.test"
    message["Subject"] = "Не работает VPN"
    message["Message-ID"] = message_id
    message.set_content("Добрый день! VPN не подключается, ошибка 809.")
    return message


@pytest.fixture
def smtp_receiver():
    port = _free_port()
    controller = receiver.make_controller("127.0.0.1", port)
    controller.start()
    yield port
    controller.stop()


@pytest.fixture
def lmtp_receiver():
    port = _free_port()
    controller = receiver.make_controller("127.0.0.1", port, lmtp=True)
    controller.start()
    yield port
    controller.stop()


def test_smtp_delivery_creates_a_ticket_before_answering_250(smtp_receiver):
    with smtplib.SMTP("127.0.0.1", smtp_receiver, timeout=10) as client:
        refused = client.send_message(mail())

    assert refused == {}
    ticket = Ticket.objects.get()
    assert ticket.subject == "Не работает VPN"
    assert ticket.requester.email == "olga@corp.example"
    assert ticket.channel == "email"


def test_lmtp_delivery_and_redelivery_create_one_ticket(lmtp_receiver):
    for _ in range(2):
        with smtplib.LMTP("127.0.0.1", lmtp_receiver) as client:
            client.send_message(mail())

    assert Ticket.objects.count() == 1


def test_failure_answers_451_so_the_mta_keeps_the_message(smtp_receiver, monkeypatch):
    def broken(raw, peer):
        raise RuntimeError("database is down")

    monkeypatch.setattr(receiver, "_ingest", broken)

    with (
        smtplib.SMTP("127.0.0.1", smtp_receiver, timeout=10) as client,
        pytest.raises(smtplib.SMTPDataError) as error,
    ):
        client.send_message(mail("<lmtp-2@corp.example>"))

    assert error.value.smtp_code == 451
    assert Ticket.objects.count() == 0


def test_a_message_without_from_takes_the_envelope_sender(smtp_receiver):
    message = mail("<no-from-1@corp.example>")
    del message["From"]

    with smtplib.SMTP("127.0.0.1", smtp_receiver, timeout=10) as client:
        refused = client.send_message(
            message, from_addr="olga@corp.example", to_addrs=["support@helpline.test"]
        )

    assert refused == {}
    assert Ticket.objects.get().requester.email == "olga@corp.example"


def test_return_path_is_added_once_and_never_for_bounces():
    raw = b"From: a@corp.example\r\nSubject: x\r\n\r\nReturn-Path: in the body\r\n"
    stamped = receiver.with_return_path(raw, "olga@corp.example")
    assert stamped == b"Return-Path: <olga@corp.example>\r\n" + raw
    assert receiver.with_return_path(stamped, "other@corp.example") == stamped
    assert receiver.with_return_path(raw, "<>") == raw
    assert receiver.with_return_path(raw, "") == raw
