"""The one path every inbound e-mail takes, whatever transport read it.

    ingest_batch([(raw, source), ...], mailbox=...) -> [IngestResult, ...]
    ingest_message(raw, mailbox=...) -> IngestResult      (a batch of one)

The IMAP poller and `helpline email ingest` pass batches (`batched`), the LMTP receiver
single messages; each may acknowledge the messages to its server once the call returns:
by then every ledger row and the ticket it produced are committed together (or the
message is quarantined with its raw bytes). Only a failure of the database itself
propagates, and then nothing of the batch is committed.
"""

from __future__ import annotations

import datetime as dt
import email.parser
import email.utils
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from html import escape

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import DatabaseError, DataError, IntegrityError, transaction
from django.db.models import Count, F, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from helpline.accounts.models import User
from helpline.accounts.services import find_or_create_requester
from helpline.core.problems import Forbidden, NotFound, ServiceError
from helpline.intake.choices import InboundStatus
from helpline.intake.email.ids import dedupe_key, extract_message_id
from helpline.intake.email.parser import ParsedEmail, ParseError, decode_header, parse_email
from helpline.intake.email.threading import BY_REFERENCE, find_thread
from helpline.intake.models import BouncedAddress, InboundEmail, Mailbox, TicketFollower
from helpline.tickets import services, workflow
from helpline.tickets.attachments import IncomingFile
from helpline.tickets.choices import Channel
from helpline.tickets.models import Message, Ticket

logger = logging.getLogger(__name__)

DUPLICATE = "duplicate"
MAX_FOLLOWERS = 50


@dataclass(frozen=True)
class IngestResult:
    """What became of one message; `line()` is the stable one-line report."""

    outcome: str  # an InboundStatus value, or "duplicate"
    ticket_number: int | None = None
    ledger_id: int | None = None
    reason: str = ""
    suppress_auto_response: bool = False

    def line(self) -> str:
        number = f"#{self.ticket_number}" if self.ticket_number else ""
        return {
            InboundStatus.CREATED: f"created {number}",
            InboundStatus.APPENDED: f"appended {number}",
            InboundStatus.NOTED: f"appended {number} (internal note)",
            InboundStatus.BOUNCE: f"bounce {number}" if number else "bounce (no ticket)",
            InboundStatus.AUTO_REPLY: "ignored auto-reply",
            InboundStatus.LOOP: "ignored loop",
            DUPLICATE: "ignored duplicate",
        }.get(self.outcome, f"quarantined ({self.reason})")


def _result(row: InboundEmail) -> IngestResult:
    return IngestResult(
        outcome=row.status,
        ticket_number=row.ticket.number if row.ticket_id else None,
        ledger_id=row.pk,
        reason=row.error,
        suppress_auto_response=row.suppress_auto_response,
    )


# --- entry points ----------------------------------------------------------------------

# One transaction commits up to this many messages (or this many bytes of raw mail): a
# commit (a WAL flush) per message cost more than the rest of a ticket's writes.
# Transports acknowledge a batch only after it has committed. The messages of a batch
# take no savepoints of their own (one that fails sends the whole batch round again, one
# transaction per message); the services' nested savepoints stay below PostgreSQL's 64
# cached subtransactions per transaction, past which every session's snapshots slow down.
BATCH_MESSAGES = 40
BATCH_BYTES = 16 * 1024 * 1024

Incoming = tuple[bytes, str]  # (raw bytes, source)


def batched(
    items: Iterable[Incoming], *, size: int = BATCH_MESSAGES, max_bytes: int = BATCH_BYTES
) -> Iterator[list[Incoming]]:
    """Group (raw, source) pairs into batches for `ingest_batch` (at least one message each)."""
    batch: list[Incoming] = []
    total = 0
    for item in items:
        if batch and (len(batch) >= size or total + len(item[0]) > max_bytes):
            yield batch
            batch, total = [], 0
        batch.append(item)
        total += len(item[0])
    if batch:
        yield batch


def ingest_message(
    raw: bytes, *, mailbox: Mailbox | None = None, source: str = "", check_loops: bool = True
) -> IngestResult:
    """Turn one raw e-mail into a ticket, a reply, a recorded bounce, or a quarantine row.

    `source` names where it came from (shown in reports and the admin); `check_loops=False`
    turns off the per-sender rate limit, for importing an archive.
    """
    return ingest_batch([(raw, source)], mailbox=mailbox, check_loops=check_loops)[0]


def ingest_batch(
    items: Sequence[Incoming], *, mailbox: Mailbox | None = None, check_loops: bool = True
) -> list[IngestResult]:
    """`ingest_message` for several messages in one transaction, one result per message.

    When this returns, every message of the batch is committed (as a ticket, a reply, a
    recorded bounce or loop, or in quarantine with its raw bytes). If one message fails,
    the whole batch is rolled back and ingested again one message per transaction, so
    the failing one is quarantined alone and the others are kept. A failure of the
    database itself propagates, and the transport acknowledges nothing of the batch.
    """
    if not items:
        return []
    work = [(raw, source, dedupe_key(raw), _parse(raw, source)) for raw, source in items]
    stored: dict[str, str] = {}  # raw files written already (they survive a rollback)
    try:
        return _ingest_work(work, mailbox, check_loops, stored)
    except BaseException:
        # The database failed (or the process is stopping): what was rolled back left
        # its raw files behind, and the transport will offer the messages again.
        _delete_unreferenced(stored)
        raise


def _delete_unreferenced(stored: dict[str, str]) -> None:
    """Delete the raw files written for rows that were rolled back, not committed ones."""
    names = set(stored.values())
    if not names:
        return
    try:
        kept = set(InboundEmail.objects.filter(raw__in=names).values_list("raw", flat=True))
    except DatabaseError:
        return  # cannot tell which are orphans: keep them all
    storage = InboundEmail._meta.get_field("raw").storage
    for name in names - kept:
        try:
            storage.delete(name)
        except OSError:
            logger.warning("could not delete the orphaned raw e-mail %s", name)


def _ingest_work(
    work: list, mailbox: Mailbox | None, check_loops: bool, stored: dict[str, str]
) -> list[IngestResult]:
    try:
        with transaction.atomic():
            batch = _Batch(work, mailbox=mailbox, check_loops=check_loops, stored=stored)
            return [batch.ingest(raw, source, key, parsed) for raw, source, key, parsed in work]
    except _MessageFailed as failed:
        if len(work) == 1:
            return [_after_failure(failed, mailbox, stored)]
        logger.info("e-mail batch rolled back (%s); ingesting its messages one by one", failed)
    except IntegrityError:
        if len(work) == 1:
            raise
        # A deferred constraint refused the commit: find the message one by one.
        logger.warning("e-mail batch failed to commit; ingesting its messages one by one")
    return [
        _ingest_alone(raw, source, key, parsed, mailbox, check_loops, stored)
        for raw, source, key, parsed in work
    ]


def _ingest_alone(
    raw: bytes,
    source: str,
    key: str,
    parsed: ParsedEmail | str,
    mailbox: Mailbox | None,
    check_loops: bool,
    stored: dict[str, str],
) -> IngestResult:
    try:
        with transaction.atomic():
            batch = _Batch(
                [(raw, source, key, parsed)],
                mailbox=mailbox,
                check_loops=check_loops,
                stored=stored,
            )
            return batch.ingest(raw, source, key, parsed)
    except _MessageFailed as failed:
        return _after_failure(failed, mailbox, stored)


class _MessageFailed(Exception):
    """One message could not be processed; raised to roll back its transaction."""

    def __init__(self, raw: bytes, source: str, key: str, error: Exception) -> None:
        super().__init__(f"{source or key}: {type(error).__name__}")
        self.raw, self.source, self.key, self.error = raw, source, key, error


def _after_failure(
    failed: _MessageFailed, mailbox: Mailbox | None, stored: dict[str, str]
) -> IngestResult:
    """The result for a message whose transaction was rolled back: quarantine, or
    "duplicate" when another process committed the same message meanwhile."""
    raw, source, key, exc = failed.raw, failed.source, failed.key, failed.error
    if isinstance(exc, IntegrityError):
        previous = InboundEmail.objects.filter(dedupe_key=key).first()
        if previous is not None:
            return IngestResult(DUPLICATE, None, previous.pk)
        reason = f"IntegrityError: {exc}"[:500]
    elif isinstance(exc, ServiceError):
        reason = f"{exc.code}: {exc.detail}"
    elif isinstance(exc, DataError):  # a value the database refused: this message's fault
        reason = f"DataError: {exc}"[:500]
    else:
        logger.error("e-mail ingestion failed on %s", source or key, exc_info=exc)
        reason = f"{type(exc).__name__}: {exc}"[:500]
    row = _quarantine(raw, key, mailbox, source, reason, stored)
    return row if isinstance(row, IngestResult) else _result(row)


def _parse(raw: bytes, source: str) -> ParsedEmail | str:
    """The parsed message, or why it must be quarantined (before any database work)."""
    limit = settings.EMAIL_MAX_MESSAGE_BYTES
    if len(raw) > limit:
        return f"too large: {len(raw)} bytes > {limit}"
    try:
        return parse_email(raw)
    except ParseError as exc:
        return str(exc)
    except Exception as exc:  # a parser bug must not lose the message
        logger.exception("e-mail parser failed on %s", source or "a message")
        return f"parser error: {type(exc).__name__}"


class _Batch:
    """What the messages of one batch share, read with one query each instead of one per
    message: which are already in the ledger, how much each sender sent lately, and the
    requesters who already exist."""

    def __init__(
        self,
        work: Sequence[tuple[bytes, str, str, ParsedEmail | str]],
        *,
        mailbox: Mailbox | None,
        check_loops: bool,
        stored: dict[str, str],
    ) -> None:
        self.mailbox = mailbox
        self.check_loops = check_loops
        self.stored = stored
        keys = {key for _, _, key, _ in work}
        self.done: dict[str, IngestResult] = {
            row.dedupe_key: IngestResult(
                DUPLICATE, row.ticket.number if row.ticket_id else None, row.pk
            )
            for row in InboundEmail.objects.filter(dedupe_key__in=keys)
            .select_related("ticket")
            .only("pk", "dedupe_key", "ticket__number")
        }
        parsed = [p for _, _, key, p in work if key not in self.done and not isinstance(p, str)]
        senders = {p.from_address[:254] for p in parsed if p.from_address}
        self.recent: dict[str, int] = {}
        if check_loops and senders:
            since = timezone.now() - dt.timedelta(seconds=settings.EMAIL_LOOP_WINDOW_SECONDS)
            self.recent = dict(
                InboundEmail.objects.filter(sender__in=senders, received_at__gte=since)
                .values("sender")
                .annotate(n=Count("pk"))
                .values_list("sender", "n")
            )
        # Requesters who exist, by exact (lower-case) address; other spellings go through
        # find_or_create_requester, which compares case-insensitively. Worth a query of
        # its own only when several messages share it.
        addresses = {p.from_address.strip().lower() for p in parsed if p.from_address}
        addresses.discard("")
        self.requesters: dict[str, User] = (
            {user.email: user for user in User.objects.filter(email__in=addresses)}
            if len(parsed) > 1
            else {}
        )

    def is_loop(self, sender: str) -> bool:
        return self.recent.get(sender, 0) >= settings.EMAIL_LOOP_MAX_PER_SENDER

    def requester(self, address: str, name: str) -> User:
        address = address.strip().lower()
        user = self.requesters.get(address)
        if user is None:
            # Safe to remember: if anything fails, the batch and this memory go together.
            user = self.requesters[address] = find_or_create_requester(
                email=address, full_name=name
            )
        return user

    def ingest(self, raw: bytes, source: str, key: str, parsed: ParsedEmail | str) -> IngestResult:
        if key in self.done:  # in the ledger already, or earlier in this batch
            previous = self.done[key]
            return IngestResult(DUPLICATE, previous.ticket_number, previous.ledger_id)
        if isinstance(parsed, str):
            row = _quarantine(raw, key, self.mailbox, source, parsed, self.stored)
            if isinstance(row, IngestResult):
                return row
        else:
            row = _new_row(raw, key, self.mailbox, source, parsed, self.stored)
            try:
                _process(row, parsed, check_loops=self.check_loops, batch=self)
            except DatabaseError as exc:
                if not isinstance(exc, DataError | IntegrityError):
                    raise  # the database itself failed: the transport must not acknowledge
                raise _MessageFailed(raw, source, key, exc) from exc
            except Exception as exc:
                raise _MessageFailed(raw, source, key, exc) from exc
        result = _result(row)
        self.done[key] = result
        self.recent[row.sender] = self.recent.get(row.sender, 0) + 1
        return result


def retry_quarantined(ledger_id: int) -> IngestResult:
    """Process a quarantined message again (after a fix or a changed setting)."""
    row = InboundEmail.objects.get(pk=ledger_id)
    if row.status != InboundStatus.QUARANTINED:
        return _result(row)
    with row.raw.open("rb") as handle:
        raw = handle.read()
    try:
        if len(raw) > settings.EMAIL_MAX_MESSAGE_BYTES:
            raise ParseError(f"too large: {len(raw)} bytes > {settings.EMAIL_MAX_MESSAGE_BYTES}")
        parsed = parse_email(raw)
        with transaction.atomic():
            row = InboundEmail.objects.select_for_update().get(pk=ledger_id)
            if row.status != InboundStatus.QUARANTINED:
                return _result(row)
            row.attempts += 1
            row.error = ""
            _fill(row, parsed)
            _process(row, parsed)
        return _result(row)
    except DatabaseError as exc:
        if not isinstance(exc, DataError):
            raise
        reason = f"DataError: {exc}"
    except ServiceError as exc:
        reason = f"{exc.code}: {exc.detail}"
    except ParseError as exc:
        reason = str(exc)
    except Exception as exc:
        logger.exception("retry of quarantined e-mail %s failed", ledger_id)
        reason = f"{type(exc).__name__}: {exc}"
    InboundEmail.objects.filter(pk=ledger_id).update(
        error=(reason or "error")[:2000], attempts=F("attempts") + 1, updated_at=timezone.now()
    )
    row.refresh_from_db()
    return _result(row)


# --- the ledger --------------------------------------------------------------------------


def _new_row(
    raw: bytes,
    key: str,
    mailbox: Mailbox | None,
    source: str,
    parsed: ParsedEmail | None,
    stored: dict[str, str] | None = None,
) -> InboundEmail:
    row = InboundEmail(
        dedupe_key=key,
        email_message_id=extract_message_id(raw),
        mailbox=mailbox,
        source=source[:500],
        status=InboundStatus.QUARANTINED,
        size=len(raw),
    )
    if parsed is not None:
        _fill(row, parsed)
    if stored is not None and key in stored:
        row.raw.name = stored[key]  # written by an attempt that was rolled back
    else:
        row.raw.save("message.eml", ContentFile(raw), save=False)
        if stored is not None:
            stored[key] = row.raw.name
    return row  # inserted by _save once its outcome is known (or earlier by _saved_pk)


def _save(row: InboundEmail) -> None:
    if row.pk is None:
        row.save(force_insert=True)
    else:
        row.save()


def _saved_pk(row: InboundEmail) -> int:
    """The ledger row's id, inserting the row now if need be (inline images name it)."""
    if row.pk is None:
        row.save(force_insert=True)
    return row.pk


def _fill(row: InboundEmail, parsed: ParsedEmail) -> None:
    row.sender = parsed.from_address[:254]
    row.subject = parsed.subject[:1000]
    row.sent_at = parsed.date
    row.cc = list(parsed.cc)
    row.original_text = parsed.text
    row.original_html = parsed.html
    row.is_auto_reply = parsed.is_auto_reply
    row.is_bounce = parsed.is_bounce
    row.is_bulk = parsed.is_bulk
    row.suppress_auto_response = parsed.suppress_auto_response
    row.auto_reasons = ",".join(parsed.auto_reasons)[:300]


def _quarantine(
    raw: bytes,
    key: str,
    mailbox: Mailbox | None,
    source: str,
    reason: str,
    stored: dict[str, str] | None = None,
) -> InboundEmail | IngestResult:
    """Keep what could not be processed, raw bytes and error, for an administrator.

    Returns the ledger row, or the result "duplicate" when the message is in the ledger."""
    try:
        with transaction.atomic():
            row = _new_row(raw, key, mailbox, source, None, stored)
            head = email.parser.BytesHeaderParser().parsebytes(raw[:65536])
            row.sender = decode_header(head.get("From"))[:254]
            row.subject = decode_header(head.get("Subject"))[:1000]
            row.error = reason[:2000]
            row.suppress_auto_response = True
            _save(row)
    except IntegrityError:
        previous = InboundEmail.objects.filter(dedupe_key=key).first()
        if previous is None:
            raise
        return IngestResult(DUPLICATE, None, previous.pk)
    logger.warning("e-mail quarantined (%s): %s", reason, source or key)
    return row


# --- processing ----------------------------------------------------------------------------


def _process(
    row: InboundEmail,
    parsed: ParsedEmail,
    *,
    check_loops: bool = True,
    batch: _Batch | None = None,
) -> None:
    """Route a parsed message (inside the caller's transaction) and record the outcome."""
    if parsed.is_bounce:
        _record_bounce(row, parsed)
    elif _is_own_address(row.sender) or (
        check_loops and (batch.is_loop(row.sender) if batch else _is_loop(row))
    ):
        row.status = InboundStatus.LOOP
        row.suppress_auto_response = True
    else:
        thread = find_thread(parsed)
        if parsed.is_auto_reply:
            # Out-of-office and other auto-replies are recorded, never appended: they
            # would reopen solved tickets and say nothing an agent needs.
            row.status = InboundStatus.AUTO_REPLY
            row.ticket = thread.ticket
        else:
            _deliver(row, parsed, thread.ticket, thread.matched_by, batch)
    row.updated_at = timezone.now()
    _save(row)


MAILBOX_CACHE_KEY = "intake:mailbox-addresses"


def mailbox_addresses() -> frozenset[str]:
    """Our receiving addresses. Read on every message, changed rarely: cached for 30 s."""
    addresses = cache.get(MAILBOX_CACHE_KEY)
    if addresses is None:
        addresses = frozenset(a.lower() for a in Mailbox.objects.values_list("address", flat=True))
        cache.set(MAILBOX_CACHE_KEY, addresses, 30)
    return addresses


def _is_own_address(sender: str) -> bool:
    """Mail from our own sending address or one of our mailboxes can only be a loop."""
    if sender == email.utils.parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower():
        return True
    return sender.lower() in mailbox_addresses()


def _is_loop(row: InboundEmail) -> bool:
    """More than EMAIL_LOOP_MAX_PER_SENDER messages from one sender within the window."""
    since = timezone.now() - dt.timedelta(seconds=settings.EMAIL_LOOP_WINDOW_SECONDS)
    recent = (
        InboundEmail.objects.filter(sender=row.sender, received_at__gte=since)
        .exclude(pk=row.pk)
        .count()
    )
    return recent >= settings.EMAIL_LOOP_MAX_PER_SENDER


def _deliver(
    row: InboundEmail,
    parsed: ParsedEmail,
    ticket: Ticket | None,
    matched_by: str,
    batch: _Batch | None = None,
) -> None:
    if batch is not None:
        requester = batch.requester(parsed.from_address, parsed.from_name)
    else:
        requester = find_or_create_requester(email=parsed.from_address, full_name=parsed.from_name)
    files, skipped = _files(parsed)
    text = parsed.visible_text.strip() or ("" if files else _("(empty message)"))
    html = _inline_html(parsed.visible_html, row, files, skipped)
    if skipped:
        text += "\n\n" + "\n".join(skipped)
    headers = services.EmailHeaders(
        message_id=parsed.message_id,
        in_reply_to=parsed.in_reply_to,
        references=" ".join(parsed.references),
    )
    if ticket is not None and workflow.is_final(ticket.status):
        ticket = None  # closed tickets are final: the mail opens a new one
    message: Message | None = None
    if ticket is not None:
        try:
            message = services.add_message(
                requester,
                ticket,
                body=text,
                body_html=html,
                channel=Channel.EMAIL,
                attachments=files,
                email=headers,
            )
            row.status = InboundStatus.APPENDED
        except (Forbidden, NotFound):
            if matched_by == BY_REFERENCE:
                # Someone who got our mail but is not on the ticket (a Cc'd colleague):
                # agents see it as an internal note.
                body = _("E-mail from %(sender)s:") % {"sender": parsed.from_address}
                message = services.add_system_note(
                    ticket, f"{body}\n\n{text}", source="email", attachments=files, email=headers
                )
                row.status = InboundStatus.NOTED
            else:
                ticket = None  # a guessed number in a stranger's subject: a new ticket
    if message is None:
        ticket = services.create_ticket(
            requester,
            services.NewTicket(
                subject=parsed.subject or _("(no subject)"),
                body=text,
                body_html=html,
                channel=Channel.EMAIL,
                category=row.mailbox.category if row.mailbox_id else None,
                channel_team=row.mailbox.team if row.mailbox_id else None,
                email=headers,
                attachments=files,
                source="email",
                suppress_autoreply=parsed.suppress_auto_response,
            ),
        )
        row.status = InboundStatus.CREATED
        # The ticket's one message, read by the INSERT of the ledger row itself rather
        # than by a query of its own.
        row.message_id = Subquery(Message.objects.filter(ticket_id=ticket.pk).values("pk")[:1])
    else:
        row.message = message
    row.ticket = ticket
    _add_followers(ticket, parsed, requester, new=row.status == InboundStatus.CREATED)


def _files(parsed: ParsedEmail) -> tuple[list[IncomingFile], list[str]]:
    files, skipped = [], []
    for attachment in parsed.attachments:
        if len(attachment.content) > settings.ATTACHMENT_MAX_BYTES:
            skipped.append(
                _(
                    "[%(name)s, %(size)d bytes, is over the attachment limit; it is kept in the original e-mail]"
                )
                % {"name": attachment.filename, "size": len(attachment.content)}
            )
            continue
        files.append(
            IncomingFile(
                filename=attachment.filename,
                content=attachment.content,
                content_type=attachment.content_type,
                content_id=attachment.content_id,
            )
        )
    return files, skipped


_CID = re.compile(r"""(src=["'])cid:([^"'>]+)(["'])""", re.IGNORECASE)


def _inline_html(html: str, row: InboundEmail, files: list[IncomingFile], notes: list[str]) -> str:
    """Point cid: images at our inline-image URL, which serves the stored attachment.

    The URL names the ledger row and the Content-ID, both known before the message and
    its attachments are written, so the HTML is final when tickets.services stores it.
    """
    if not html:
        return ""
    known = {incoming.content_id for incoming in files if incoming.content_id}

    def replace(match: re.Match) -> str:
        content_id = match.group(2)
        if content_id not in known:
            return match.group(0)
        url = reverse("intake-email-inline", args=[_saved_pk(row), content_id])
        return f"{match.group(1)}{url}{match.group(3)}"

    if known and "cid:" in html:
        html = _CID.sub(replace, html)
    return html + "".join(f"<p>{escape(note)}</p>" for note in notes)


def _add_followers(ticket: Ticket, parsed: ParsedEmail, requester: User, *, new: bool) -> None:
    """Cc'd (and other To) addresses become followers, except our own and the requester."""
    domain = "@" + settings.HELPLINE_MAIL_DOMAIN.lower()
    ours = {email.utils.parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower(), requester.email.lower()}
    wanted = [
        address
        for address in dict.fromkeys((*parsed.cc, *parsed.to))
        if address not in ours and not address.endswith(domain)
    ]
    ours_too = mailbox_addresses()
    wanted = [address for address in wanted if address.lower() not in ours_too][:MAX_FOLLOWERS]
    if not wanted:
        return
    users = {user.email.lower(): user for user in User.objects.filter(email__in=wanted)}
    existing = (
        set()  # a ticket created a moment ago has no followers yet
        if new
        else set(
            TicketFollower.objects.filter(ticket=ticket, email__in=wanted).values_list(
                "email", flat=True
            )
        )
    )
    TicketFollower.objects.bulk_create(
        [
            TicketFollower(ticket=ticket, email=address, user=users.get(address))
            for address in wanted
            if address not in existing
        ],
        ignore_conflicts=True,
    )


def _record_bounce(row: InboundEmail, parsed: ParsedEmail) -> None:
    """Flag the addresses that bounced and note the bounce on the ticket whose mail it was."""
    info = parsed.bounce
    row.status = InboundStatus.BOUNCE
    row.suppress_auto_response = True
    if info is None:
        return
    ticket = None
    if info.original_message_id:
        original = (
            Message.objects.filter(
                email_message_id__in=[
                    info.original_message_id,
                    info.original_message_id.strip("<>"),
                ]
            )
            .select_related("ticket")
            .order_by("-id")
            .first()
        )
        ticket = original.ticket if original else None
    now = timezone.now()
    for address in info.recipients[:20]:
        flagged, created = BouncedAddress.objects.select_for_update().get_or_create(
            email=address[:254],
            defaults={"status": info.status, "diagnostic": info.diagnostic, "last_ticket": ticket},
        )
        if not created:
            flagged.bounce_count += 1
            flagged.status = info.status or flagged.status
            flagged.diagnostic = info.diagnostic or flagged.diagnostic
            flagged.last_ticket = ticket or flagged.last_ticket
            flagged.last_bounced_at = now
            flagged.save()
    row.ticket = ticket
    if ticket is not None and not workflow.is_final(ticket.status):
        text = _(
            "Our e-mail to %(recipients)s could not be delivered (%(status)s). %(diagnostic)s"
        ) % {
            "recipients": ", ".join(info.recipients) or _("an unknown address"),
            "status": info.status or _("no status"),
            "diagnostic": info.diagnostic,
        }
        row.message = services.add_system_note(ticket, text.strip(), source="email")
