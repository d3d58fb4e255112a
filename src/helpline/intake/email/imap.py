"""IMAP transport: fetch unseen mail, hand it to the pipeline a batch at a time (one
transaction per batch), and only after the batch has committed mark its messages seen
(or move them) on the server.

A message whose ingestion did not commit (the database is down, the worker is killed)
stays unseen on the server and is fetched again next time; the pipeline's ledger turns
the second reading of a message that did commit into "ignored duplicate".
"""

from __future__ import annotations

import imaplib
import logging
import os
import re
import select
import ssl
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.db import DatabaseError
from django.utils import timezone

from helpline.intake.email.pipeline import (
    BATCH_BYTES,
    BATCH_MESSAGES,
    Incoming,
    IngestResult,
    ingest_batch,
)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImapAccount:
    """Where and how to read one mailbox."""

    host: str
    username: str
    password: str
    port: int = 993
    use_ssl: bool = True
    folder: str = "INBOX"
    processed_folder: str = ""  # move handled mail here; empty: just mark it \\Seen
    timeout: float = 30.0

    def label(self) -> str:
        return f"imap://{self.username}@{self.host}:{self.port}/{self.folder}"


@dataclass
class PollReport:
    fetched: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    left_on_server: int = 0
    error: str = ""

    def count(self, result: IngestResult) -> None:
        self.outcomes[result.outcome] = self.outcomes.get(result.outcome, 0) + 1


IngestBatch = Callable[..., list[IngestResult]]


def connect(account: ImapAccount) -> imaplib.IMAP4:
    if account.use_ssl:
        client: imaplib.IMAP4 = imaplib.IMAP4_SSL(
            account.host,
            account.port,
            ssl_context=ssl.create_default_context(),
            timeout=account.timeout,
        )
    else:
        client = imaplib.IMAP4(account.host, account.port, timeout=account.timeout)
    client.login(account.username, account.password)
    return client


def poll(
    account: ImapAccount,
    *,
    mailbox=None,
    ingest: IngestBatch = ingest_batch,
    batch: int = 200,
    batch_size: int = BATCH_MESSAGES,
    client: imaplib.IMAP4 | None = None,
) -> PollReport:
    """Ingest up to `batch` unseen messages, `batch_size` per transaction. Stops at the
    first database error, leaving that transaction's messages and the rest unseen."""
    report = PollReport()
    own_client = client is None
    try:
        client = client or connect(account)
        if client.select(_quote(account.folder))[0] != "OK":
            report.error = f"cannot open folder {account.folder!r}"
            return report
        _, data = client.uid("SEARCH", None, "UNSEEN")
        uids = data[0].split()[:batch] if data and data[0] else []
        done = 0
        for group in _groups(client, uids, batch_size):
            bodies = _fetch_many(client, group)
            pending = []  # (uid, raw) of this batch
            for uid in group:
                raw = bodies.get(uid) or _fetch(client, uid)
                if raw is not None:
                    pending.append((uid, raw))
            report.fetched += len(pending)
            done += len(group)
            if pending and not _ingest_pending(client, account, mailbox, ingest, pending, report):
                report.left_on_server += len(uids) - done
                break
    except (TimeoutError, OSError, imaplib.IMAP4.error, ssl.SSLError) as exc:
        report.error = f"{type(exc).__name__}: {exc}"
        logger.warning("IMAP poll of %s failed: %s", account.label(), exc)
    finally:
        if own_client and client is not None:
            _logout(client)
    return report


def _ingest_pending(
    client: imaplib.IMAP4,
    account: ImapAccount,
    mailbox,
    ingest: IngestBatch,
    pending: list[tuple[bytes, bytes]],
    report: PollReport,
) -> bool:
    """Ingest one batch and, once it has committed, flag it on the server. False when the
    database failed (nothing of the batch committed, nothing flagged)."""
    items: list[Incoming] = [(raw, f"{account.label()};uid={uid.decode()}") for uid, raw in pending]
    try:
        results = ingest(items, mailbox=mailbox)
    except DatabaseError as exc:
        # Not committed: leave the batch and the rest on the server for the next poll.
        report.left_on_server += len(pending)
        report.error = f"database unavailable: {exc}"
        logger.warning("IMAP poll of %s stopped: %s", account.label(), exc)
        return False
    _mark_handled(client, [uid for uid, _ in pending], account)
    for result in results:
        report.count(result)
    return True


def _quote(folder: str) -> str:
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


_UID = re.compile(rb"\bUID (\d+)")
_SIZE = re.compile(rb"\bRFC822\.SIZE (\d+)")


def _groups(client: imaplib.IMAP4, uids: list[bytes], size: int) -> Iterator[list[bytes]]:
    """The UIDs in batches of at most `size` messages and BATCH_BYTES of mail (at least
    one message each), by the sizes the server reports: one command per `size` UIDs."""
    for start in range(0, len(uids), size):
        chunk = uids[start : start + size]
        sizes: dict[bytes, int] = {}
        status, data = client.uid("FETCH", b",".join(chunk).decode(), "(UID RFC822.SIZE)")
        for line in data if status == "OK" else []:
            text = line[0] if isinstance(line, tuple) else line
            uid, octets = _UID.search(text or b""), _SIZE.search(text or b"")
            if uid and octets:
                sizes[uid.group(1)] = int(octets.group(1))
        group: list[bytes] = []
        total = 0
        for uid in chunk:
            octets = sizes.get(uid, BATCH_BYTES)  # unknown: a batch of its own
            if group and total + octets > BATCH_BYTES:
                yield group
                group, total = [], 0
            group.append(uid)
            total += octets
        if group:
            yield group


def _fetch_many(client: imaplib.IMAP4, uids: list[bytes]) -> dict[bytes, bytes]:
    """The raw messages of several UIDs with one command (BODY.PEEK: still unseen).
    A message missing from the answer is fetched again on its own by the caller."""
    status, data = client.uid("FETCH", b",".join(uids).decode(), "(UID BODY.PEEK[])")
    bodies: dict[bytes, bytes] = {}
    if status != "OK":
        return bodies
    for position, part in enumerate(data):
        if not (isinstance(part, tuple) and len(part) == 2):
            continue
        uid = _UID.search(part[0])
        if uid is None and position + 1 < len(data) and isinstance(data[position + 1], bytes):
            uid = _UID.search(data[position + 1])  # "UID n" after the literal
        if uid is not None:
            bodies[uid.group(1)] = part[1]
    return bodies


def _fetch(client: imaplib.IMAP4, uid: bytes) -> bytes | None:
    # BODY.PEEK leaves \\Seen alone: the flag is set only after the ticket is committed.
    status, data = client.uid("FETCH", uid, "(BODY.PEEK[])")
    if status != "OK":
        return None
    for part in data:
        if isinstance(part, tuple) and len(part) == 2:
            return part[1]
    return None


def _mark_handled(client: imaplib.IMAP4, uids: list[bytes], account: ImapAccount) -> None:
    """Flag (or move) a committed batch: one command for all of its messages."""
    uid_set = b",".join(uids).decode()
    if account.processed_folder:
        client.create(_quote(account.processed_folder))
        if client.uid("COPY", uid_set, _quote(account.processed_folder))[0] == "OK":
            client.uid("STORE", uid_set, "+FLAGS", "(\\Deleted \\Seen)")
            client.expunge()
            return
    client.uid("STORE", uid_set, "+FLAGS", "(\\Seen)")


def _logout(client: imaplib.IMAP4) -> None:
    try:
        client.logout()
    except (OSError, imaplib.IMAP4.error):
        logger.debug("IMAP logout failed", exc_info=True)


def supports_idle(client: imaplib.IMAP4) -> bool:
    return "IDLE" in client.capabilities


def _line_buffered(client: imaplib.IMAP4) -> bool:
    """True when the server's next line already sits in our read buffer (select cannot see it)."""
    timeout = client.sock.gettimeout()
    client.sock.setblocking(False)
    try:
        return bool(client.file.peek(1))
    except (BlockingIOError, OSError):
        return False
    finally:
        client.sock.settimeout(timeout)


def wait_for_mail(client: imaplib.IMAP4, timeout: float) -> bool:
    """IMAP IDLE (RFC 2177): block until the server announces new mail or `timeout` passes."""
    tag = client._new_tag()  # imaplib has no IDLE command (before Python 3.14)
    client.send(tag + b" IDLE\r\n")
    if not client.readline().startswith(b"+"):
        return False
    # Wait with select() rather than a socket timeout: a timed-out socket file cannot be
    # read again, and the connection must stay usable for DONE and the next poll.
    deadline = time.monotonic() + timeout
    arrived = False
    try:
        while not arrived:
            remaining = deadline - time.monotonic()
            if not _line_buffered(client) and (
                remaining <= 0 or not select.select([client.sock], [], [], remaining)[0]
            ):
                break
            line = client.readline()
            if not line:
                break
            arrived = line.startswith(b"*") and (b"EXISTS" in line or b"RECENT" in line)
    finally:
        client.send(b"DONE\r\n")
        while True:
            line = client.readline()
            if not line or line.startswith(tag):
                break
    return arrived


def account_for(mailbox) -> ImapAccount:
    """The IMAP account a Mailbox row describes. A password of the form env:NAME is read
    from the environment, so it need not be stored in the database."""
    password = mailbox.imap_password
    if password.startswith("env:"):
        password = os.environ.get(password[4:], "")
    return ImapAccount(
        host=mailbox.imap_host,
        port=mailbox.imap_port,
        use_ssl=mailbox.imap_use_ssl,
        username=mailbox.imap_username,
        password=password,
        folder=mailbox.imap_folder or "INBOX",
        processed_folder=mailbox.imap_processed_folder,
    )


def poll_mailbox(mailbox) -> PollReport:
    report = poll(account_for(mailbox), mailbox=mailbox)
    type(mailbox).objects.filter(pk=mailbox.pk).update(
        last_polled_at=timezone.now(), last_poll_error=report.error
    )
    return report


def poll_all_mailboxes() -> dict[str, dict]:
    """The periodic job: poll every active IMAP mailbox once."""
    from helpline.intake.models import Mailbox

    reports = {}
    for mailbox in (
        Mailbox.objects.filter(is_active=True)
        .exclude(imap_host="")
        .select_related("team", "category")
    ):
        report = poll_mailbox(mailbox)
        reports[mailbox.address] = {
            "fetched": report.fetched,
            **report.outcomes,
            "error": report.error,
        }
    return reports


def watch(mailbox, *, idle_seconds: float = 300, poll_seconds: float = 60, stop=None) -> None:
    """Keep one mailbox drained: IMAP IDLE where the server supports it, else plain polling.

    A full poll runs after every wake-up and at least every `idle_seconds`, so nothing that
    arrived while the connection was down waits longer than that.
    """
    while stop is None or not stop():
        poll_mailbox(mailbox)
        try:
            client = connect(account_for(mailbox))
        except (OSError, imaplib.IMAP4.error) as exc:
            logger.warning("cannot watch %s: %s", mailbox, exc)
            time.sleep(poll_seconds)
            continue
        try:
            client.select(_quote(mailbox.imap_folder or "INBOX"))
            if supports_idle(client):
                wait_for_mail(client, idle_seconds)
            else:
                time.sleep(poll_seconds)
        except (OSError, imaplib.IMAP4.error) as exc:
            logger.warning("IMAP connection to %s dropped: %s", mailbox, exc)
        finally:
            _logout(client)
