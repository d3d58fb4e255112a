"""Administrators see quarantined e-mail with its error in the Django admin and retry it."""

from __future__ import annotations

from helpline.intake.email.pipeline import ingest_message
from helpline.intake.models import InboundEmail
from helpline.tickets.models import Ticket

RAW = b"From: Rita <rita@acme.example>\r\nSubject: Printer\r\nMessage-ID: <q1@x>\r\n\r\nJammed.\r\n"


def _superuser():
    from helpline.accounts.models import User

    return User.objects.create_superuser(email="root@helpline.test", password="x-long-password-1")


def test_quarantine_list_shows_the_error(db, client, settings):
    # given a message quarantined for its size
    settings.EMAIL_MAX_MESSAGE_BYTES = 10
    ingest_message(RAW, source="mbox#7")

    # when an administrator opens the quarantine list
    client.force_login(_superuser())
    response = client.get("/admin/intake/quarantinedemail/")

    # then the row shows the sender, the reason and the source
    assert response.status_code == 200
    page = response.content.decode()
    assert f"too large: {len(RAW)} bytes &gt; 10" in page
    assert "mbox#7" in page


def test_retry_action_creates_the_ticket_after_a_fix(db, client, settings):
    # given a quarantined message and a raised limit
    settings.EMAIL_MAX_MESSAGE_BYTES = 10
    ingest_message(RAW)
    row = InboundEmail.objects.get()
    settings.EMAIL_MAX_MESSAGE_BYTES = 1_000_000

    # when the administrator runs the retry action on it
    client.force_login(_superuser())
    response = client.post(
        "/admin/intake/quarantinedemail/",
        {"action": "retry", "_selected_action": [row.pk]},
        follow=True,
    )

    # then the ticket exists, the row is no longer quarantined, and the admin says so
    ticket = Ticket.objects.get()
    assert f"{row.pk}: created #{ticket.number}" in response.content.decode()
    row.refresh_from_db()
    assert (row.status, row.ticket_id) == ("created", ticket.pk)
