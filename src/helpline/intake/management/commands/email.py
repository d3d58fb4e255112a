"""`helpline email ingest PATH...` and `helpline email retry ID...`.

ingest reads .eml files, mbox files and maildirs (a directory with cur/ and new/ is a
maildir; a file starting with "From " is an mbox; anything else is one .eml) and feeds
the messages through the same pipeline as the IMAP poller, in the same batches (one
transaction per batch), printing one line per message once its batch has committed:

    <source>: created #1234
    <source>: appended #1234
    <source>: appended #1234 (internal note)
    <source>: bounce #1234            (or: bounce (no ticket))
    <source>: ignored duplicate
    <source>: ignored auto-reply
    <source>: ignored loop
    <source>: quarantined (<reason>)

The exit status is 0 unless the run itself failed (unreadable path, database error).

With --jobs N (N > 1) the messages of all the paths are read first, split into N
partitions that keep together what must be ingested in order (see
helpline.intake.email.parallel), and ingested by N worker processes; the lines of one
partition come in file order, the partitions' lines interleave as their batches commit.
"""

from __future__ import annotations

import mailbox as mailboxes
from collections.abc import Iterator
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from helpline.intake.email.parallel import IngestFailed, ingest_parallel
from helpline.intake.email.pipeline import batched, ingest_batch, retry_quarantined
from helpline.intake.models import InboundEmail, Mailbox


def read_messages(path: Path) -> Iterator[tuple[str, bytes]]:
    """(source, raw bytes) for every message at path."""
    if path.is_dir():
        if not ((path / "cur").is_dir() and (path / "new").is_dir()):
            raise CommandError(f"{path}: a directory must be a maildir (with cur/ and new/)")
        folder = mailboxes.Maildir(path, factory=None, create=False)
        for key in sorted(folder.keys()):
            yield f"{path}/{key}", folder.get_bytes(key)
        return
    with path.open("rb") as handle:
        is_mbox = handle.read(5) == b"From "
    if is_mbox:
        box = mailboxes.mbox(path, factory=None, create=False)
        for index, key in enumerate(box.keys(), start=1):
            yield f"{path}#{index}", box.get_bytes(key, from_=False)
        return
    yield str(path), path.read_bytes()


class Command(BaseCommand):
    help = "Feed e-mail into Helpline (ingest), or retry quarantined e-mail (retry)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        ingest = actions.add_parser("ingest", help=".eml files, mbox files or maildirs")
        ingest.add_argument("paths", nargs="+", type=Path)
        ingest.add_argument("--mailbox", help="the receiving address (a configured Mailbox)")
        ingest.add_argument(
            "--no-loop-check",
            action="store_true",
            help="no per-sender rate limit (for importing an archive of old mail)",
        )
        ingest.add_argument(
            "--jobs",
            type=int,
            default=1,
            help="worker processes (default 1); conversations and duplicates stay together",
        )
        retry = actions.add_parser("retry", help="process quarantined e-mail again")
        retry.add_argument("ids", nargs="*", type=int)
        retry.add_argument("--all", action="store_true", help="every quarantined e-mail")

    def handle(self, *args, **options) -> None:
        if options["action"] == "ingest":
            jobs = options.get("jobs", 1)
            if jobs < 1:
                raise CommandError(f"--jobs must be 1 or more, not {jobs}.")
            self._ingest(
                options["paths"], options.get("mailbox"), not options["no_loop_check"], jobs
            )
        else:
            self._retry(options["ids"], options["all"])

    def _ingest(
        self, paths: list[Path], address: str | None, check_loops: bool, jobs: int = 1
    ) -> None:
        box = None
        if address:
            box = Mailbox.objects.filter(address__iexact=address).first()
            if box is None:
                raise CommandError(f"No mailbox {address!r} is configured.")
        if jobs > 1:
            self._ingest_parallel(paths, box, check_loops, jobs)
            return
        for path in paths:
            if not path.exists():
                raise CommandError(f"{path}: no such file or directory")
            messages = ((raw, source) for source, raw in read_messages(path))
            for batch in batched(messages):
                results = ingest_batch(batch, mailbox=box, check_loops=check_loops)
                for (_, source), result in zip(batch, results, strict=True):
                    self.stdout.write(f"{source}: {result.line()}")

    def _ingest_parallel(
        self, paths: list[Path], box: Mailbox | None, check_loops: bool, jobs: int
    ) -> None:
        if connection.vendor == "sqlite" and connection.is_in_memory_db():
            raise CommandError("--jobs needs a database other processes can open, not in-memory.")
        for path in paths:
            if not path.exists():
                raise CommandError(f"{path}: no such file or directory")
        items = [(raw, source) for path in paths for source, raw in read_messages(path)]

        def report(pairs, _milliseconds) -> None:
            for source, result in pairs:
                self.stdout.write(f"{source}: {result.line()}")

        try:
            ingest_parallel(
                items,
                jobs=jobs,
                mailbox_id=box.pk if box else None,
                check_loops=check_loops,
                on_batch=report,
            )
        except IngestFailed as exc:
            raise CommandError(f"ingest failed: {exc}") from exc

    def _retry(self, ids: list[int], everything: bool) -> None:
        if everything:
            ids = list(
                InboundEmail.objects.filter(status="quarantined")
                .order_by("pk")
                .values_list("pk", flat=True)
            )
        if not ids:
            raise CommandError("Name the ledger ids to retry, or use --all.")
        for ledger_id in ids:
            if not InboundEmail.objects.filter(pk=ledger_id).exists():
                raise CommandError(f"{ledger_id}: no such e-mail in the ledger")
            self.stdout.write(f"{ledger_id}: {retry_quarantined(ledger_id).line()}")
