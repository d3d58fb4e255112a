"""Recognising mail that is not from a person: auto-replies, bounces, bulk and list mail.

Such mail must never get an automatic acknowledgement (that is how mail loops start).
Pure functions over a parsed compat32 message.
"""

from __future__ import annotations

import email.message
import re
from dataclasses import dataclass

from helpline.intake.email.ids import normalize_message_id

_AUTO_SUBJECT = re.compile(
    r"^\s*(auto(matic)?[\s-]*(reply|response|answer)|autoreply|auto:|out\s+of\s+(the\s+)?office"
    r"|away\s+from\s+(the\s+)?office|on\s+vacation|vacation\s+reply"
    r"|автоответ|автоматический\s+ответ|нет\s+на\s+месте|вне\s+офиса|в\s+отпуске)",
    re.IGNORECASE,
)
_BOUNCE_SUBJECT = re.compile(
    r"(undeliver|delivery\s+(status\s+notification|failure|has\s+failed)|returned\s+mail"
    r"|mail\s+delivery\s+failed|failure\s+notice|не\s*доставлен|недоставленное"
    r"|ошибка\s+доставки|возвращенное\s+письмо)",
    re.IGNORECASE,
)
_DAEMON = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|bounces?|noreply-dsn)@", re.I)
_NOREPLY = re.compile(r"^(no[-_.]?reply|do[-_.]?not[-_.]?reply)", re.I)
_MESSAGE_ID = re.compile(r"^message-id:\s*(<[^<>\s]+>)", re.IGNORECASE | re.MULTILINE)
_RECIPIENT = re.compile(
    r"^(?:final|original)-recipient:\s*[^;]*;\s*<?([^>\s]+@[^>\s]+)>?", re.I | re.M
)


_QMAIL_RECIPIENT = re.compile(r"^<([^<>\s]+@[^<>\s]+)>:\s*$", re.MULTILINE)
_STATUS_IN_TEXT = re.compile(r"\b([245]\.\d{1,3}\.\d{1,3})\b")


@dataclass(frozen=True)
class BounceInfo:
    """What a delivery status notification says about the message that bounced."""

    original_message_id: str = ""
    recipients: tuple[str, ...] = ()
    status: str = ""
    diagnostic: str = ""


@dataclass(frozen=True)
class Flags:
    is_auto_reply: bool
    is_bounce: bool
    is_bulk: bool
    suppress: bool
    reasons: tuple[str, ...]


def _header(heads: dict[str, list[str]], name: str) -> str:
    values = heads.get(name)
    return " ".join(values[0].split()).lower() if values else ""


def _block_header(block: email.message.Message, name: str) -> str:
    return " ".join(str(block.get(name) or "").split()).lower()


def classify(
    message: email.message.Message, heads: dict[str, list[str]], sender: str, subject: str
) -> Flags:
    """Which kind of machine mail this is, with the header that gave it away.

    `heads` maps lower-case header names to their values (parser.header_map)."""
    reasons: list[str] = []
    auto_submitted = _header(heads, "auto-submitted")
    precedence = _header(heads, "precedence")
    try:
        report_type = str(message.get_param("report-type") or "").lower()
    except (ValueError, TypeError, LookupError, UnicodeError):
        report_type = ""
    is_report = message.get_content_type() == "multipart/report"
    is_bounce = (is_report and report_type == "delivery-status") or (
        bool(_DAEMON.match(sender)) and (is_report or bool(_BOUNCE_SUBJECT.search(subject)))
    )
    if is_bounce:
        reasons.append("bounce")
    is_auto = False
    if auto_submitted and auto_submitted != "no":
        reasons.append(f"auto-submitted:{auto_submitted.split(';')[0]}")
        is_auto = auto_submitted.startswith("auto-replied")
    for name in ("x-autoreply", "x-autorespond", "x-auto-reply"):
        if name in heads:
            reasons.append(name)
            is_auto = True
    if precedence in ("auto_reply", "auto-reply"):
        reasons.append("precedence:auto_reply")
        is_auto = True
    if _AUTO_SUBJECT.search(subject):
        reasons.append("subject")
        is_auto = True
    if is_report and report_type in ("disposition-notification",):
        reasons.append("read-receipt")
        is_auto = True
    is_bulk = precedence in ("bulk", "list", "junk") or "list-id" in heads
    if is_bulk:
        reasons.append(f"precedence:{precedence}" if precedence else "list-id")
    if "x-auto-response-suppress" in heads:
        reasons.append("x-auto-response-suppress")
    if _DAEMON.match(sender) or _NOREPLY.match(sender):
        reasons.append("sender")
    if _header(heads, "return-path") == "<>":
        reasons.append("null-return-path")
    return Flags(
        is_auto_reply=is_auto and not is_bounce,
        is_bounce=is_bounce,
        is_bulk=is_bulk,
        suppress=bool(reasons),
        reasons=tuple(dict.fromkeys(reasons)),
    )


def _report_blocks(reports: list[email.message.Message]):
    for report in reports:
        for part in report.get_payload() if isinstance(report.get_payload(), list) else []:
            if not isinstance(part, email.message.Message):
                continue
            yield part.get_content_type(), part


def bounce_info(reports: list[email.message.Message], text: str) -> BounceInfo:
    """The original Message-ID, failed recipients and status of a DSN (RFC 3464) or a
    non-standard bounce (the same fields searched for in its text)."""
    original, recipients, status, diagnostic = "", [], "", ""
    for ctype, part in _report_blocks(reports):
        payload = part.get_payload()
        if ctype == "message/delivery-status" and isinstance(payload, list):
            for block in payload[1:] or payload:
                action = _block_header(block, "Action")
                recipient = str(
                    block.get("Final-Recipient") or block.get("Original-Recipient") or ""
                )
                address = recipient.split(";")[-1].strip().strip("<>").lower()
                if address and action in ("failed", "delayed", ""):
                    recipients.append(address)
                    status = status or _block_header(block, "Status")
                    diagnostic = diagnostic or " ".join(
                        str(block.get("Diagnostic-Code") or "").split()
                    )
        elif ctype == "message/rfc822" and isinstance(payload, list) and payload:
            original = original or normalize_message_id(str(payload[0].get("Message-ID") or ""))
        elif ctype == "text/rfc822-headers":
            body = part.get_payload(decode=True) or b""
            found = _MESSAGE_ID.search(body.decode("latin-1"))
            original = original or (found.group(1) if found else "")
    if not original:
        found = _MESSAGE_ID.search(text)
        original = found.group(1) if found else ""
    if not recipients:
        recipients = [address.lower() for address in _RECIPIENT.findall(text)]
    if not recipients:  # qmail: "<user@host>:" on a line of its own
        recipients = [address.lower() for address in _QMAIL_RECIPIENT.findall(text)]
    if not status:
        found = _STATUS_IN_TEXT.search(text)
        status = found.group(1) if found else ""
    return BounceInfo(
        original_message_id=original,
        recipients=tuple(dict.fromkeys(recipients)),
        status=status[:32],
        diagnostic=diagnostic[:500],
    )
