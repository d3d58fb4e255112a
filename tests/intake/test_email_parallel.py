"""`helpline email ingest --jobs N`: worker processes end where one process would."""

from __future__ import annotations

import re
from email.message import EmailMessage
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from helpline.intake.email.parallel import partition
from helpline.intake.models import InboundEmail
from helpline.tickets.models import Message, Ticket


def run(*args: str) -> list[str]:
    out = StringIO()
    call_command("email", *args, stdout=out)
    return out.getvalue().splitlines()


def mail(
    sender: str,
    subject: str,
    *,
    message_id: str | None = None,
    reply_to: str | None = None,
    references: str | None = None,
    auto: bool = False,
    date: str = "Mon, 23 Nov 2026 10:00:00 +0000",
) -> bytes:
    message = EmailMessage()
    if sender:
        message["From"] = sender
    message["To"] = "support@helpline.example"
    message["Subject"] = subject
    message["Date"] = date
    if message_id:
        message["Message-ID"] = message_id
    if reply_to:
        message["In-Reply-To"] = reply_to
    if references:
        message["References"] = references
    if auto:
        message["Auto-Submitted"] = "auto-replied"
    message.set_content(f"{subject}: the details.")
    return bytes(message)


def corpus() -> list[tuple[str, bytes]]:
    """(name, raw) in file order: four threads (a new request, the requester's reply, a
    stranger's reply to that reply), interleaved with duplicates, a message that must be
    quarantined and an auto-reply."""
    by_name: dict[str, bytes] = {}
    for i in range(4):
        user, stranger = f"user{i}@corp.example", f"colleague{i}@other.example"
        by_name[f"p{i}"] = mail(user, f"Printer {i}", message_id=f"<p{i}@corp.example>")
        by_name[f"r{i}"] = mail(
            user,
            f"Re: Printer {i}",
            message_id=f"<r{i}@corp.example>",
            reply_to=f"<p{i}@corp.example>",
            references=f"<p{i}@corp.example>",
        )
        by_name[f"c{i}"] = mail(
            stranger,
            f"Re: Printer {i}",
            message_id=f"<c{i}@other.example>",
            reply_to=f"<r{i}@corp.example>",
            references=f"<p{i}@corp.example> <r{i}@corp.example>",
        )
    # the same Message-ID again in other bytes, and one message without any, twice
    by_name["p0again"] = mail(
        "user0@corp.example",
        "Printer 0",
        message_id="<p0@corp.example>",
        date="Mon, 23 Nov 2026 11:00:00 +0000",
    )
    by_name["anon1"] = by_name["anon2"] = mail("anon@corp.example", "No id")
    by_name["nosender"] = mail("", "Lost")
    by_name["ooo"] = mail(
        "user1@corp.example",
        "Out of office",
        message_id="<ooo@corp.example>",
        reply_to="<p1@corp.example>",
        auto=True,
    )
    order = [
        "p0",
        "p1",
        "p2",
        "p3",
        "r0",
        "anon1",
        "r1",
        "c0",
        "nosender",
        "r2",
        "p0again",
        "r3",
        "c1",
        "ooo",
        "anon2",
        "c2",
        "c3",
    ]
    return [(name, by_name[name]) for name in order]


# name -> (outcome, the message that created its ticket)
EXPECTED = {
    **{f"p{i}": ("created", f"p{i}") for i in range(4)},
    **{f"r{i}": ("appended", f"p{i}") for i in range(4)},
    **{f"c{i}": ("appended (internal note)", f"p{i}") for i in range(4)},
    "anon1": ("created", "anon1"),
    "anon2": ("ignored duplicate", None),
    "p0again": ("ignored duplicate", None),
    "nosender": ("quarantined (no sender address)", None),
    "ooo": ("ignored auto-reply", None),
}


def maildir(tmp_path: Path) -> Path:
    folder = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (folder / sub).mkdir(parents=True)
    for position, (name, raw) in enumerate(corpus()):
        # file names sort in the order above (the command reads a maildir sorted by key)
        (folder / "new" / f"{position:03d}-{name}").write_bytes(raw)
    return folder


def outcomes(lines: list[str]) -> dict[str, tuple[str, str | None]]:
    """name -> (outcome, name of the message that created the ticket it went to)."""
    creator: dict[int, str] = {}
    parsed = {}
    for line in lines:
        source, text = line.split(": ", 1)
        name = source.rsplit("/", 1)[1].split("-", 1)[1]
        number = re.search(r"#(\d+)", text)
        outcome = re.sub(r" #\d+", "", text)
        parsed[name] = (outcome, int(number.group(1)) if number else None)
        if outcome == "created":
            creator[int(number.group(1))] = name
    return {name: (o, creator.get(n) if n else None) for name, (o, n) in parsed.items()}


def _shared_database() -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("worker processes cannot open an in-memory SQLite test database")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("jobs", ["1", "3"])
def test_parallel_ingest_ends_as_one_process_does(tmp_path, jobs):
    if jobs != "1":
        _shared_database()
    # given a maildir of threads, duplicates, a broken message and an auto-reply
    folder = maildir(tmp_path)

    # when it is ingested with one or with three worker processes
    lines = run("ingest", "--jobs", jobs, str(folder))

    # then every message has one line and the same fate, and the threads are whole
    assert len(lines) == len(corpus())
    assert outcomes(lines) == EXPECTED
    assert Ticket.objects.count() == 5
    assert InboundEmail.objects.count() == len(corpus()) - 2  # the duplicates add no row
    for i in range(4):
        ticket = Ticket.objects.get(subject=f"Printer {i}")
        assert Message.objects.filter(ticket=ticket).count() == 3
        assert ticket.requester.email == f"user{i}@corp.example"
    # and a second run, in parallel, doubles nothing
    if jobs != "1":
        again = run("ingest", "--jobs", jobs, str(folder))
        assert {o for o, _ in outcomes(again).values()} <= {
            "ignored duplicate",
            "quarantined (no sender address)",
        }
        assert Ticket.objects.count() == 5


def test_partition_keeps_conversations_duplicates_and_senders_together():
    # given the corpus split three ways
    items = [(raw, name) for name, raw in corpus()]
    parts = partition(items, 3)

    # then each part is in file order, and no thread, sender or duplicate is split
    names = [[items[i][1] for i in part] for part in parts]
    assert all(part == sorted(part) for part in parts)
    assert sorted(i for part in parts for i in part) == list(range(len(items)))
    where = {name: n for n, part in enumerate(names) for name in part}
    for i in range(4):
        assert where[f"p{i}"] == where[f"r{i}"] == where[f"c{i}"]
    assert where["p0"] == where["p0again"]
    assert where["anon1"] == where["anon2"]
    assert where["ooo"] == where["p1"]
    # and the work is spread: four threads and three other groups over three parts
    assert len(parts) == 3
    assert max(len(part) for part in parts) <= 7


@pytest.mark.parametrize("jobs", ["0", "-2"])
def test_jobs_must_be_positive(db, tmp_path, jobs):
    with pytest.raises(CommandError, match="--jobs must be 1 or more"):
        run("ingest", "--jobs", jobs, str(maildir(tmp_path)))
    assert not InboundEmail.objects.exists()


def test_parallel_ingest_refuses_an_in_memory_database(db, tmp_path):
    if not (connection.vendor == "sqlite" and connection.is_in_memory_db()):
        pytest.skip("the test database is shared with other processes")
    with pytest.raises(CommandError, match="in-memory"):
        run("ingest", "--jobs", "2", str(maildir(tmp_path)))
