"""The inbound e-mail pipeline on the database: threading, de-duplication, quarantine,
loop protection and bounces."""

from __future__ import annotations

from email.message import EmailMessage
from pathlib import Path

import pytest

from helpline.accounts.models import User
from helpline.intake.choices import InboundStatus
from helpline.intake.email.pipeline import (
    batched,
    ingest_batch,
    ingest_message,
    retry_quarantined,
)
from helpline.intake.models import BouncedAddress, InboundEmail, TicketFollower
from helpline.tickets.choices import MessageKind, Status
from helpline.tickets.models import Attachment, Message, Ticket


def mail(
    body: str = "My printer jams on every page.",
    *,
    sender: str = "rita@acme.example",
    subject: str = "Printer jams",
    message_id: str | None = "<m1@mail.acme.example>",
    headers: dict[str, str] | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = f"Rita Requester <{sender}>"
    message["To"] = "support@helpline.localhost"
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    for name, value in (headers or {}).items():
        message[name] = value
    message.set_content(body)
    return message.as_bytes()


def test_new_mail_creates_a_ticket_for_a_new_requester(db):
    # given an e-mail from an address Helpline has never seen
    raw = mail(sender="newcomer@example.net", subject="VPN is down")

    # when it is ingested
    result = ingest_message(raw, source="test")

    # then a ticket exists with the e-mail's subject and body, from a new requester
    ticket = Ticket.objects.get()
    assert result.outcome == InboundStatus.CREATED
    assert result.ticket_number == ticket.number
    assert result.line() == f"created #{ticket.number}"
    assert ticket.subject == "VPN is down"
    assert ticket.channel == "email"
    assert ticket.requester.email == "newcomer@example.net"
    message = ticket.messages.get()
    assert message.body_text == "My printer jams on every page."
    assert message.email_message_id == "<m1@mail.acme.example>"
    row = InboundEmail.objects.get()
    assert (row.ticket_id, row.message_id, row.status) == (ticket.pk, message.pk, "created")
    assert row.raw.read() == raw


def test_reply_threads_by_in_reply_to(personas):
    # given a ticket opened by e-mail
    first = ingest_message(mail(message_id="<a@acme.example>"))

    # when the requester answers that message with another subject
    reply = mail(
        "Still broken.",
        subject="something else",
        message_id="<b@acme.example>",
        headers={"In-Reply-To": "<a@acme.example>", "References": "<a@acme.example>"},
    )
    result = ingest_message(reply)

    # then the answer is appended to the same ticket
    assert result.outcome == InboundStatus.APPENDED
    assert result.ticket_number == first.ticket_number
    assert result.line() == f"appended #{first.ticket_number}"
    assert Ticket.objects.count() == 1
    assert list(Message.objects.values_list("body_text", flat=True)) == [
        "My printer jams on every page.",
        "Still broken.",
    ]


def test_reply_threads_by_ticket_number_in_subject(personas):
    # given a ticket of the requester
    first = ingest_message(mail(message_id="<a@acme.example>"))

    # when the requester writes again naming the ticket number, with no references
    raw = mail("Any news?", subject=f"Re: [#{first.ticket_number}] Printer", message_id="<c@x>")
    result = ingest_message(raw)

    # then it is appended to that ticket
    assert (result.outcome, result.ticket_number) == ("appended", first.ticket_number)


def test_stranger_naming_a_ticket_number_gets_a_new_ticket(personas):
    # given Rita's ticket
    first = ingest_message(mail(message_id="<a@acme.example>"))

    # when a stranger puts its number in a subject
    raw = mail(
        "Hi",
        sender="mallory@evil.example",
        subject=f"Заявка №{first.ticket_number}",
        message_id="<z@evil>",
    )
    result = ingest_message(raw)

    # then nothing is added to Rita's ticket: the stranger gets a ticket of their own
    assert result.outcome == "created"
    assert result.ticket_number != first.ticket_number
    assert Ticket.objects.get(number=first.ticket_number).message_count == 1


def test_reply_by_reference_from_a_cc_colleague_becomes_an_internal_note(personas):
    # given a ticket whose mail Cc'd an outside colleague
    first = ingest_message(
        mail(message_id="<a@acme.example>", headers={"Cc": "Dan <dan@partner.example>"})
    )
    ticket = Ticket.objects.get(number=first.ticket_number)
    assert list(TicketFollower.objects.values_list("ticket_id", "email")) == [
        (ticket.pk, "dan@partner.example")
    ]

    # when the colleague replies to all
    reply = mail(
        "I see it too.",
        sender="dan@partner.example",
        message_id="<d@partner>",
        headers={"In-Reply-To": "<a@acme.example>"},
    )
    result = ingest_message(reply)

    # then agents see it as an internal note on the ticket
    assert result.line() == f"appended #{first.ticket_number} (internal note)"
    note = ticket.messages.get(kind=MessageKind.NOTE)
    assert note.author is None
    assert note.body_text == "E-mail from dan@partner.example:\n\nI see it too."


def test_same_message_twice_creates_nothing_new(db):
    # given a message already ingested
    raw = mail()
    first = ingest_message(raw)

    # when it is read again
    again = ingest_message(raw)

    # then nothing new exists
    assert again.outcome == "duplicate"
    assert again.line() == "ignored duplicate"
    assert again.ticket_number == first.ticket_number
    assert (Ticket.objects.count(), Message.objects.count(), InboundEmail.objects.count()) == (
        1,
        1,
        1,
    )


def test_message_without_message_id_is_deduplicated_by_its_bytes(db):
    raw = mail(message_id=None)
    assert ingest_message(raw).outcome == "created"
    assert ingest_message(raw).outcome == "duplicate"
    assert ingest_message(raw + b"\n").outcome == "created"
    assert Ticket.objects.count() == 2


def test_unparseable_message_is_quarantined_then_retried(db, settings):
    # given a message too large for the current limit
    settings.EMAIL_MAX_MESSAGE_BYTES = 100
    raw = mail()
    result = ingest_message(raw, source="big.eml")
    assert result.outcome == "quarantined"
    assert result.line() == f"quarantined (too large: {len(raw)} bytes > 100)"
    row = InboundEmail.objects.get()
    assert (row.status, row.sender, row.raw.read()) == (
        "quarantined",
        "Rita Requester <rita@acme.example>",
        raw,
    )
    assert Ticket.objects.count() == 0
    # and reading it again is a duplicate, not a second quarantine row
    assert ingest_message(raw).outcome == "duplicate"

    # when the administrator raises the limit and retries
    settings.EMAIL_MAX_MESSAGE_BYTES = 1_000_000
    retried = retry_quarantined(row.pk)

    # then the ticket is created from the same ledger row
    assert retried.outcome == "created"
    row.refresh_from_db()
    assert (row.status, row.attempts, row.error) == ("created", 2, "")
    assert row.ticket.number == retried.ticket_number


def test_message_without_sender_is_quarantined_with_the_reason(db):
    result = ingest_message(b"Subject: who am I\n\nbody\n")
    assert result.line() == "quarantined (no sender address)"
    assert InboundEmail.objects.get().error == "no sender address"


def test_sender_over_the_rate_limit_is_ignored_as_a_loop(db, settings):
    # given a limit of 3 messages per sender in the window
    settings.EMAIL_LOOP_MAX_PER_SENDER = 3

    # when a sender sends 5 distinct messages
    results = [ingest_message(mail(f"n{i}", message_id=f"<loop{i}@x>")) for i in range(5)]

    # then the first 3 make tickets and the rest are recorded as a loop
    assert [r.outcome for r in results] == ["created"] * 3 + ["loop"] * 2
    assert results[4].line() == "ignored loop"
    assert (
        InboundEmail.objects.filter(status=InboundStatus.LOOP, suppress_auto_response=True).count()
        == 2
    )
    assert Ticket.objects.count() == 3


def test_auto_reply_is_recorded_not_appended(personas):
    # given a ticket
    first = ingest_message(mail(message_id="<a@acme.example>"))

    # when an out-of-office answer to it arrives
    raw = mail(
        "I am away.",
        subject="Automatic reply: Printer jams",
        message_id="<ooo@x>",
        headers={"Auto-Submitted": "auto-replied", "In-Reply-To": "<a@acme.example>"},
    )
    result = ingest_message(raw)

    # then it is recorded against the ticket but adds no message
    assert result.line() == "ignored auto-reply"
    assert result.suppress_auto_response is True
    row = InboundEmail.objects.get(status=InboundStatus.AUTO_REPLY)
    assert row.ticket.number == first.ticket_number
    assert Message.objects.count() == 1


def test_bulk_mail_creates_a_ticket_flagged_against_auto_acknowledgement(db):
    result = ingest_message(mail(headers={"Precedence": "bulk", "List-Id": "<news.example.com>"}))
    assert result.outcome == "created"
    assert result.suppress_auto_response is True
    from helpline.intake.email.selectors import may_auto_acknowledge

    assert may_auto_acknowledge(InboundEmail.objects.get().message_id) is False


def _dsn(original_id: str, recipient: str) -> bytes:
    return (
        "From: MAILER-DAEMON@mx.acme.example\n"
        "To: support@helpline.localhost\n"
        "Subject: Undelivered Mail Returned to Sender\n"
        "Message-ID: <dsn1@mx.acme.example>\n"
        "MIME-Version: 1.0\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\n\n'
        "--B\nContent-Type: text/plain\n\nYour message could not be delivered.\n\n"
        "--B\nContent-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; mx.acme.example\n\n"
        f"Final-Recipient: rfc822; {recipient}\nAction: failed\nStatus: 5.1.1\n"
        "Diagnostic-Code: smtp; 550 5.1.1 User unknown\n\n"
        "--B\nContent-Type: message/rfc822\n\n"
        f"From: helpdesk@helpline.localhost\nTo: {recipient}\nMessage-ID: {original_id}\n"
        "Subject: [#1000] Printer jams\n\nWe are on it.\n\n--B--\n"
    ).encode()


def test_bounce_is_noted_on_the_ticket_whose_mail_bounced(personas):
    # given a ticket with an agent's reply that went out with our Message-ID
    ingest_message(mail(message_id="<a@acme.example>"))
    ticket = Ticket.objects.get()
    from helpline.tickets import services

    services.add_message(
        personas.l1_agent,
        ticket,
        body="We are on it.",
        email=services.EmailHeaders(message_id="<out-1@helpline.localhost>"),
    )

    # when the delivery status notification for that reply arrives
    result = ingest_message(_dsn("<out-1@helpline.localhost>", "rita@acme.example"))

    # then the bounce is noted on the ticket and the address is flagged
    assert result.line() == f"bounce #{ticket.number}"
    note = ticket.messages.get(kind=MessageKind.NOTE)
    assert "rita@acme.example" in note.body_text and "5.1.1" in note.body_text
    flagged = BouncedAddress.objects.get()
    assert (flagged.email, flagged.status, flagged.bounce_count) == (
        "rita@acme.example",
        "5.1.1",
        1,
    )
    assert flagged.is_permanent
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN  # the agent's reply opened it; the bounce changed nothing


def test_bounce_for_unknown_mail_only_flags_the_address(db):
    result = ingest_message(_dsn("<nobody@x>", "ghost@acme.example"))
    assert result.line() == "bounce (no ticket)"
    assert list(BouncedAddress.objects.values_list("email", flat=True)) == ["ghost@acme.example"]


def test_reply_to_a_closed_ticket_opens_a_new_one(personas):
    first = ingest_message(mail(message_id="<a@acme.example>"))
    Ticket.objects.filter(number=first.ticket_number).update(status=Status.CLOSED)
    result = ingest_message(
        mail("again", message_id="<b@x>", headers={"In-Reply-To": "<a@acme.example>"})
    )
    assert result.outcome == "created"
    assert result.ticket_number != first.ticket_number


def test_inline_image_is_stored_and_its_cid_rewritten(personas, client):
    # given an HTML mail with an inline image
    message = EmailMessage()
    message["From"] = "rita@acme.example"
    message["Subject"] = "Screenshot"
    message["Message-ID"] = "<img@x>"
    message.set_content("see picture")
    message.add_alternative('<p>See <img src="cid:shot1@acme"></p>', subtype="html")
    message.get_payload()[1].add_related(
        b"\x89PNG fake", "image", "png", cid="<shot1@acme>", filename="shot.png"
    )

    # when it is ingested
    ingest_message(message.as_bytes())

    # then the image is an attachment and the HTML points at our URL for it
    row = InboundEmail.objects.get()
    attachment = Attachment.objects.get()
    assert (attachment.filename, attachment.content_id) == ("shot.png", "shot1@acme")
    url = f"/mail/{row.pk}/inline/shot1@acme"
    assert f'src="{url}"' in row.message.body_html
    # and the requester can load it while another requester cannot
    client.force_login(personas.requester)
    assert client.get(url).status_code == 200
    client.force_login(personas.other_requester)
    assert client.get(url).status_code == 404


def test_raw_email_is_downloadable_by_agents_only(personas, client):
    raw = mail()
    ingest_message(raw)
    row = InboundEmail.objects.get()
    url = f"/mail/{row.pk}/raw"
    client.force_login(personas.requester)
    assert client.get(url).status_code == 404
    client.force_login(personas.admin)
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == raw


@pytest.mark.parametrize("size_limit", [10])
def test_oversized_attachment_is_skipped_with_a_note(db, settings, size_limit):
    settings.ATTACHMENT_MAX_BYTES = size_limit
    message = EmailMessage()
    message["From"] = "rita@acme.example"
    message["Subject"] = "Log"
    message.set_content("log attached")
    message.add_attachment(b"x" * 50, maintype="text", subtype="plain", filename="big.log")
    result = ingest_message(message.as_bytes())
    assert result.outcome == "created"
    body = Message.objects.get().body_text
    assert body.startswith("log attached\n\n[big.log, 50 bytes, is over the attachment limit")
    assert Attachment.objects.count() == 0


def test_mailbox_category_is_given_to_new_tickets(personas):
    from helpline.intake.models import Mailbox

    box = Mailbox.objects.create(
        name="Printers", address="Printers@Helpline.Example", category=personas.category
    )
    assert box.address == "printers@helpline.example"
    result = ingest_message(mail(), mailbox=box)
    ticket = Ticket.objects.get(number=result.ticket_number)
    assert ticket.category == personas.category
    assert ticket.team == personas.l1_team  # the category's default team
    assert InboundEmail.objects.get().mailbox == box


def test_mail_from_our_own_address_is_a_loop(db, settings):
    settings.DEFAULT_FROM_EMAIL = "Helpline <helpdesk@helpline.localhost>"
    result = ingest_message(mail(sender="HelpDesk@helpline.localhost"))
    assert result.line() == "ignored loop"
    assert Ticket.objects.count() == 0


def test_failure_after_the_ticket_rolls_back_the_ticket_and_quarantines(db, monkeypatch):
    # given a pipeline step after the ticket is written that fails
    from helpline.intake.email import pipeline

    def broken(*args, **kwargs):
        raise RuntimeError("followers table on fire")

    monkeypatch.setattr(pipeline, "_add_followers", broken)

    # when a message is ingested
    result = ingest_message(mail())

    # then no ticket or message survives, and the message waits in quarantine
    assert result.line() == "quarantined (RuntimeError: followers table on fire)"
    assert (Ticket.objects.count(), Message.objects.count()) == (0, 0)
    row = InboundEmail.objects.get()
    assert (row.status, row.ticket_id, row.message_id) == ("quarantined", None, None)

    # and a retry before the fix fails the same way, counting one more attempt
    again = retry_quarantined(row.pk)
    assert again.line() == "quarantined (RuntimeError: followers table on fire)"
    row.refresh_from_db()
    assert (row.attempts, Ticket.objects.count()) == (2, 0)

    # and once fixed, a retry creates the ticket exactly once
    monkeypatch.undo()
    assert retry_quarantined(row.pk).outcome == "created"
    row.refresh_from_db()
    assert (row.attempts, row.error, Ticket.objects.count()) == (3, "", 1)
    assert retry_quarantined(row.pk).outcome == "created"  # retrying a done row changes nothing
    assert Ticket.objects.count() == 1


def test_overlong_sender_address_is_quarantined(db):
    raw = mail(sender="a" * 250 + "@example.com")
    assert ingest_message(raw).line() == "quarantined (no sender address)"


def test_reply_to_a_merged_ticket_goes_to_the_ticket_it_was_merged_into(personas):
    # given two e-mail tickets of Rita, the first merged into the second
    from helpline.tickets import services

    first = ingest_message(mail(message_id="<a@acme.example>"))
    second = ingest_message(mail("other", subject="Other", message_id="<b@acme.example>"))
    source = Ticket.objects.get(number=first.ticket_number)
    target = Ticket.objects.get(number=second.ticket_number)
    services.merge_tickets(personas.supervisor, source, target)

    # when Rita answers the first ticket's mail, naming it only in References
    raw = mail("more", message_id="<c@x>", headers={"References": "<zz@x> <a@acme.example>"})
    result = ingest_message(raw)

    # then the answer lands on the ticket it was merged into
    assert result.line() == f"appended #{target.number}"


def test_html_mail_is_sanitised_on_the_ticket(db):
    message = EmailMessage()
    message["From"] = "rita@acme.example"
    message["Subject"] = "HTML"
    message.set_content(
        '<p onclick="x()">Hi<script>alert(1)</script> <a href="javascript:x()">a</a></p>',
        subtype="html",
    )
    ingest_message(message.as_bytes())
    stored = Message.objects.get()
    assert stored.body_html.strip() == '<p>Hi <a rel="noopener noreferrer nofollow">a</a></p>'
    assert stored.body_text == "Hi a"


# --- batches: one transaction per batch ---------------------------------


def test_batch_quarantines_the_failing_message_and_commits_the_others(db, monkeypatch, settings):
    # given a pipeline step that fails for one sender only
    from helpline.intake.email import pipeline

    real = pipeline._add_followers

    def broken_for_bob(ticket, parsed, requester, **kwargs):
        if parsed.from_address == "bob@acme.example":
            raise RuntimeError("followers table on fire")
        return real(ticket, parsed, requester, **kwargs)

    monkeypatch.setattr(pipeline, "_add_followers", broken_for_bob)

    # when a batch with Bob's message in the middle is ingested
    bobs = mail("two", sender="bob@acme.example", message_id="<b2@x>")
    results = ingest_batch(
        [
            (mail("one", sender="ann@acme.example", message_id="<b1@x>"), "1"),
            (bobs, "2"),
            (mail("three", sender="cid@acme.example", message_id="<b3@x>"), "3"),
        ]
    )

    # then the others made their tickets, and Bob's message left nothing but its
    # quarantine row (no ticket, no requester created by the rolled-back attempt)
    assert [r.outcome for r in results] == ["created", "quarantined", "created"]
    assert results[1].reason == "RuntimeError: followers table on fire"
    assert Ticket.objects.count() == 2
    assert not User.objects.filter(email="bob@acme.example").exists()
    row = InboundEmail.objects.get(status=InboundStatus.QUARANTINED)
    assert (row.source, row.ticket_id, row.raw.read()) == ("2", None, bobs)
    assert InboundEmail.objects.count() == 3
    # and the batch's second round reused the raw files of the first: one file each
    assert len(list(Path(settings.MEDIA_ROOT).rglob("*.eml"))) == 3


def test_database_failure_in_a_batch_commits_nothing(db, monkeypatch, settings):
    # given a database that fails while the third message of a batch is processed
    from django.db import OperationalError

    from helpline.intake.email import pipeline

    real = pipeline._add_followers

    def database_down(ticket, parsed, requester, **kwargs):
        if parsed.from_address == "cid@acme.example":
            raise OperationalError("server closed the connection")
        return real(ticket, parsed, requester, **kwargs)

    monkeypatch.setattr(pipeline, "_add_followers", database_down)
    batch = [
        (mail(str(n), sender=f"{name}@acme.example", message_id=f"<d{n}@x>"), str(n))
        for n, name in enumerate(["ann", "bob", "cid"])
    ]

    # when the batch is ingested, the error reaches the transport
    with pytest.raises(OperationalError):
        ingest_batch(batch)

    # then nothing of the batch was committed: the transport may offer it all again
    assert (Ticket.objects.count(), InboundEmail.objects.count()) == (0, 0)
    # and the rolled-back attempt left no raw files behind
    assert list(Path(settings.MEDIA_ROOT).rglob("*.eml")) == []
    monkeypatch.undo()
    assert [r.outcome for r in ingest_batch(batch)] == ["created"] * 3
    assert len(list(Path(settings.MEDIA_ROOT).rglob("*.eml"))) == 3


def test_duplicates_within_one_batch_and_against_the_ledger(db):
    first = ingest_message(mail(message_id="<dup1@x>"))

    results = ingest_batch(
        [
            (mail(message_id="<dup1@x>"), "again"),
            (mail("new", message_id="<dup2@x>"), "new"),
            (mail("new", message_id="<dup2@x>"), "new again"),
        ]
    )

    assert [r.outcome for r in results] == ["duplicate", "created", "duplicate"]
    assert results[0].ticket_number == first.ticket_number
    assert results[2].ticket_number == results[1].ticket_number
    assert (Ticket.objects.count(), InboundEmail.objects.count()) == (2, 2)


def test_rate_limit_counts_the_messages_of_the_same_batch(db, settings):
    # given a limit of 3 per sender, one earlier message, and a batch of 4 more
    settings.EMAIL_LOOP_MAX_PER_SENDER = 3
    ingest_message(mail("n0", message_id="<rl0@x>"))
    batch = [(mail(f"n{i}", message_id=f"<rl{i}@x>"), str(i)) for i in range(1, 5)]
    batch.insert(2, (mail("other", sender="ann@acme.example", message_id="<rl-ann@x>"), "ann"))

    results = ingest_batch(batch)

    # then the batch's messages count towards the limit as they are recorded
    assert [r.outcome for r in results] == ["created", "created", "created", "loop", "loop"]
    assert Ticket.objects.filter(requester__email="rita@acme.example").count() == 3


def test_reply_in_the_same_batch_as_its_ticket_is_threaded(db):
    results = ingest_batch(
        [
            (mail(message_id="<t1@x>"), "first"),
            (mail("more", message_id="<t2@x>", headers={"In-Reply-To": "<t1@x>"}), "reply"),
        ]
    )
    assert [r.outcome for r in results] == ["created", "appended"]
    assert results[1].ticket_number == results[0].ticket_number
    assert Message.objects.count() == 2


def test_batched_splits_by_count_and_by_bytes():
    items = [(b"x" * 10, str(n)) for n in range(7)]
    assert [len(b) for b in batched(items, size=3, max_bytes=1000)] == [3, 3, 1]
    assert [len(b) for b in batched(items, size=50, max_bytes=25)] == [2, 2, 2, 1]
    assert [len(b) for b in batched([(b"x" * 100, "big")], size=50, max_bytes=25)] == [1]
    assert list(batched([], size=3)) == []


def test_batch_refused_at_commit_is_ingested_one_by_one(db, monkeypatch):
    # given a batch whose transaction ends in an IntegrityError that no message step
    # caught (as a deferred constraint refusing the commit would)
    from django.db import IntegrityError

    from helpline.intake.email import pipeline

    real_ingest = pipeline._Batch.ingest
    calls = []

    def refused_at_the_end(self, raw, source, key, parsed):
        calls.append(source)
        result = real_ingest(self, raw, source, key, parsed)
        if len(calls) == 3:
            raise IntegrityError("deferred foreign key refused")
        return result

    monkeypatch.setattr(pipeline._Batch, "ingest", refused_at_the_end)
    batch = [(mail(str(n), message_id=f"<c{n}@x>"), str(n)) for n in range(3)]

    # when it is ingested, then the batch is rolled back and each message goes in alone
    assert [r.outcome for r in ingest_batch(batch)] == ["created"] * 3
    assert calls == ["0", "1", "2", "0", "1", "2"]
    assert (Ticket.objects.count(), InboundEmail.objects.count()) == (3, 3)
