"""The IMAP poller against a real dovecot server: nothing lost, nothing doubled."""

from __future__ import annotations

import threading
from email.message import EmailMessage

import pytest
from django.db import OperationalError

from helpline.intake.email import imap
from helpline.intake.email.pipeline import ingest_batch, ingest_message
from helpline.tickets.models import Message, Ticket

pytestmark = pytest.mark.django_db


def raw_mail(
    n: int, subject: str = "Printer on floor 3 is jammed", reply_to_id: str = "", sender: int = 0
) -> bytes:
    message = EmailMessage()
    sender = sender or n
    message["From"] = f"Employee {sender} <employee{sender}@corp.example>"
    message["To"] = "helpdesk@example.test"
    message["Subject"] = subject
    message["Message-ID"] = f"<poll-{n}@corp.example>"
    if reply_to_id:
        message["In-Reply-To"] = reply_to_id
    message.set_content(f"Hello, message number {n}. The printer shows error E{n}.")
    return bytes(message)


@pytest.fixture
def mailbox(imap_server):
    imap_server.empty()
    yield imap_server
    imap_server.empty()


def account_for(server, **overrides) -> imap.ImapAccount:
    values = {
        "host": server.host,
        "port": server.port,
        "username": server.username,
        "password": server.password,
        "use_ssl": False,
    }
    values.update(overrides)
    return imap.ImapAccount(**values)


def test_poll_creates_tickets_and_marks_mail_seen_only_after_commit(mailbox):
    for n in range(3):
        mailbox.deliver(raw_mail(n))

    report = imap.poll(account_for(mailbox))

    assert report.fetched == 3
    assert report.outcomes == {"created": 3}
    assert Ticket.objects.count() == 3
    assert mailbox.uids("UNSEEN") == []
    assert len(mailbox.uids("SEEN")) == 3


def test_database_down_during_poll_leaves_mail_on_the_server_for_next_time(mailbox):
    for n in range(2):
        mailbox.deliver(raw_mail(n))

    def database_down(items, **kwargs):
        raise OperationalError("connection refused")

    down = imap.poll(account_for(mailbox), ingest=database_down)

    assert down.left_on_server == 2 and down.error.startswith("database unavailable")
    assert Ticket.objects.count() == 0
    assert len(mailbox.uids("UNSEEN")) == 2

    up = imap.poll(account_for(mailbox))

    assert up.outcomes == {"created": 2}
    assert mailbox.uids("UNSEEN") == []


def test_worker_killed_after_commit_but_before_flagging_creates_nothing_twice(mailbox):
    # given five messages, polled two per transaction
    for n in range(5):
        mailbox.deliver(raw_mail(n))
    batches = []

    def killed_after_second_batch(items, **kwargs):
        results = ingest_batch(items, **kwargs)
        batches.append(results)
        if len(batches) == 2:
            raise KeyboardInterrupt  # the process dies after the commit, before flagging
        return results

    # when the worker dies after the second batch committed
    with pytest.raises(KeyboardInterrupt):
        imap.poll(account_for(mailbox), ingest=killed_after_second_batch, batch_size=2)

    # then the first batch is flagged; the second is committed but still unseen, and the
    # fifth message untouched
    assert Ticket.objects.count() == 4
    assert len(mailbox.uids("SEEN")) == 2
    assert len(mailbox.uids("UNSEEN")) == 3

    # and the next poll creates only the missing ticket
    rerun = imap.poll(account_for(mailbox))

    assert rerun.outcomes == {"duplicate": 2, "created": 1}
    assert Ticket.objects.count() == 5
    assert mailbox.uids("UNSEEN") == []


def test_database_failure_in_a_later_batch_keeps_the_earlier_batches(mailbox):
    # given five messages, polled two per transaction, and a database that fails on the
    # second transaction
    for n in range(5):
        mailbox.deliver(raw_mail(n))
    calls = []

    def fails_second_time(items, **kwargs):
        calls.append(len(items))
        if len(calls) == 2:
            raise OperationalError("server closed the connection")
        return ingest_batch(items, **kwargs)

    report = imap.poll(account_for(mailbox), ingest=fails_second_time, batch_size=2)

    # then the first batch is committed and flagged, the other three wait on the server
    assert report.outcomes == {"created": 2}
    assert report.left_on_server == 3
    assert report.error.startswith("database unavailable")
    assert Ticket.objects.count() == 2
    assert len(mailbox.uids("UNSEEN")) == 3


def test_processed_mail_can_be_moved_to_a_folder(mailbox):
    mailbox.deliver(raw_mail(7))

    imap.poll(account_for(mailbox, processed_folder="Processed"))

    assert mailbox.uids("ALL") == []
    assert len(mailbox.uids("ALL", folder="Processed")) == 1


def test_reply_by_mail_is_threaded_onto_the_ticket(mailbox):
    mailbox.deliver(raw_mail(1))
    imap.poll(account_for(mailbox))
    ticket = Ticket.objects.get()

    mailbox.deliver(
        raw_mail(
            2,
            subject=f"Re: [#{ticket.number}] Printer",
            reply_to_id="<poll-1@corp.example>",
            sender=1,
        )
    )
    report = imap.poll(account_for(mailbox))

    assert report.outcomes == {"appended": 1}
    assert Ticket.objects.count() == 1
    assert Message.objects.filter(ticket=ticket).count() == 2


def test_idle_wakes_up_when_mail_arrives(mailbox):
    client = imap.connect(account_for(mailbox))
    try:
        client.select("INBOX")
        assert imap.supports_idle(client)
        assert imap.wait_for_mail(client, timeout=0.5) is False
        timer = threading.Timer(0.5, mailbox.deliver, args=[raw_mail(9)])
        timer.start()
        assert imap.wait_for_mail(client, timeout=10) is True
        timer.join()
        mailbox.deliver(raw_mail(10))  # arrives between two waits: reported at the next one
        assert imap.wait_for_mail(client, timeout=5) is True
    finally:
        client.logout()


def test_wrong_password_is_reported_not_raised(mailbox):
    report = imap.poll(account_for(mailbox, password="wrong"))

    assert report.fetched == 0
    assert "AUTHENTICATIONFAILED" in report.error or "failed" in report.error.lower()


def test_periodic_job_polls_configured_mailboxes_with_password_from_environment(
    mailbox, monkeypatch, personas
):
    from django.core.management import call_command

    from helpline.intake.models import Mailbox

    monkeypatch.setenv("HELPDESK_IMAP_PASSWORD", mailbox.password)
    Mailbox.objects.create(
        name="Support",
        address="helpdesk@example.test",
        imap_host=mailbox.host,
        imap_port=mailbox.port,
        imap_use_ssl=False,
        imap_username=mailbox.username,
        imap_password="env:HELPDESK_IMAP_PASSWORD",
        team=personas.l1_team,
    )
    mailbox.deliver(raw_mail(21))

    reports = imap.poll_all_mailboxes()

    assert reports["helpdesk@example.test"]["fetched"] == 1
    assert reports["helpdesk@example.test"]["error"] == ""
    assert Mailbox.objects.get().last_polled_at is not None
    mailbox.deliver(raw_mail(22))
    call_command("mailboxes", "poll")
    assert Ticket.objects.count() == 2


def test_mailbox_team_receives_the_new_tickets(mailbox, personas):
    from helpline.intake.models import Mailbox

    box = Mailbox.objects.create(name="Infra", address="infra@example.test", team=personas.l3_team)

    result = ingest_message(raw_mail(31), mailbox=box)

    assert Ticket.objects.get(number=result.ticket_number).team == personas.l3_team


def test_a_batch_is_fetched_and_flagged_with_one_command_each(mailbox, monkeypatch):
    # given five messages, polled two per transaction, on a client that records commands
    for n in range(5):
        mailbox.deliver(raw_mail(n))
    account = account_for(mailbox)
    client = imap.connect(account)
    commands = []
    real_uid = client.uid

    def recording_uid(command, *args):
        commands.append((command, args[-1] if command == "FETCH" else args[-2]))
        return real_uid(command, *args)

    monkeypatch.setattr(client, "uid", recording_uid)

    # when it polls
    try:
        report = imap.poll(account, client=client, batch_size=2)
    finally:
        client.logout()

    # then each batch costs one size query, one fetch of the bodies and one STORE
    assert report.outcomes == {"created": 5}
    fetches = [what for command, what in commands if command == "FETCH"]
    assert fetches == ["(UID RFC822.SIZE)", "(UID BODY.PEEK[])"] * 3
    assert [command for command, _ in commands].count("STORE") == 3
    assert mailbox.uids("UNSEEN") == []


def test_batches_are_cut_by_size_as_the_server_reports_it(mailbox, monkeypatch):
    # given three messages of which any two exceed the bytes allowed in one batch
    for n in range(3):
        mailbox.deliver(raw_mail(n))
    size = len(raw_mail(0))
    monkeypatch.setattr(imap, "BATCH_BYTES", size + size // 2)
    batches = []

    def recording(items, **kwargs):
        batches.append(len(items))
        return ingest_batch(items, **kwargs)

    # when it polls, then each message is a batch of its own
    report = imap.poll(account_for(mailbox), ingest=recording)
    assert batches == [1, 1, 1]
    assert report.outcomes == {"created": 3}
