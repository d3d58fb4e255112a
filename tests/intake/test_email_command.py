"""`helpline email ingest` over .eml files, mbox files and maildirs, and `email retry`."""

from __future__ import annotations

import mailbox
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from helpline.intake.models import InboundEmail
from helpline.tickets.models import Ticket

CORPUS = Path(__file__).resolve().parent.parent / "fixtures" / "email"


def run(*args: str) -> list[str]:
    out = StringIO()
    call_command("email", *args, stdout=out)
    return out.getvalue().splitlines()


def test_ingest_eml_files_prints_one_line_each(db):
    # given two fixtures: a person's message and an out-of-office reply
    person = CORPUS / "charset_koi8r_base64_ru.eml"
    ooo = CORPUS / "auto_outlook_ooo_en.eml"

    # when they are ingested, the first one twice
    lines = run("ingest", str(person), str(ooo), str(person))

    # then each message gets one stable line
    number = Ticket.objects.get().number
    assert lines == [
        f"{person}: created #{number}",
        f"{ooo}: ignored auto-reply",
        f"{person}: ignored duplicate",
    ]


def test_ingest_mbox_and_maildir(db, tmp_path):
    # given an mbox with two messages and a maildir with one
    box = mailbox.mbox(tmp_path / "inbox.mbox")
    for name in ("thread_none", "header_no_subject_cc"):
        box.add((CORPUS / f"{name}.eml").read_bytes())
    box.flush()
    folder = mailbox.Maildir(tmp_path / "Maildir", create=True)
    key = folder.add((CORPUS / "html_only_en.eml").read_bytes())

    # when both are ingested
    lines = run("ingest", str(tmp_path / "inbox.mbox"), str(tmp_path / "Maildir"))

    # then three tickets are created, named by mbox position and maildir key
    numbers = list(Ticket.objects.order_by("id").values_list("number", flat=True))
    assert lines == [
        f"{tmp_path}/inbox.mbox#1: created #{numbers[0]}",
        f"{tmp_path}/inbox.mbox#2: created #{numbers[1]}",
        f"{tmp_path}/Maildir/{key}: created #{numbers[2]}",
    ]
    assert Ticket.objects.get(number=numbers[2]).subject == "VPN"


def test_ingest_quarantines_and_retry_processes_again(db, tmp_path, settings):
    # given a message without any sender
    path = tmp_path / "nosender.eml"
    path.write_bytes(b"Subject: lost\r\n\r\nwho sent me?\r\n")

    # when it is ingested it is quarantined with the reason
    assert run("ingest", str(path)) == [f"{path}: quarantined (no sender address)"]
    row = InboundEmail.objects.get()

    # and a retry without a fix stays quarantined, counting the attempt
    assert run("retry", str(row.pk)) == [f"{row.pk}: quarantined (no sender address)"]
    row.refresh_from_db()
    assert row.attempts == 2


def test_retry_all_after_raising_the_size_limit(db, settings):
    settings.EMAIL_MAX_MESSAGE_BYTES = 10
    run("ingest", str(CORPUS / "thread_none.eml"))
    settings.EMAIL_MAX_MESSAGE_BYTES = 10_000_000
    row = InboundEmail.objects.get()
    assert run("retry", "--all") == [f"{row.pk}: created #{Ticket.objects.get().number}"]


def test_missing_path_fails_the_run(db, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run("ingest", str(tmp_path / "nope.eml"))


def test_archive_import_without_loop_check(db, settings):
    # given a loop limit of 2 and 4 different messages from one sender
    settings.EMAIL_LOOP_MAX_PER_SENDER = 2
    paths = [
        str(CORPUS / f"charset_{name}.eml")
        for name in ("koi8r_8bit_ru", "cp866_base64_ru", "missing_utf8", "missing_koi8r")
    ]

    # when imported as an archive
    lines = run("ingest", "--no-loop-check", *paths)

    # then all of them become tickets
    assert [line.split(": ", 1)[1].split(" #")[0] for line in lines] == ["created"] * 4
