"""The pure e-mail parser: raw bytes in, a ParsedEmail out. No ORM, no network.

Built on the standard library's compat32 parser (lenient and fast); headers, charsets,
RFC 2047 words and RFC 2231 parameters are decoded here so that broken mail still
yields text. Only mail with no usable sender raises ParseError; everything else parses.
"""

from __future__ import annotations

import datetime as dt
import email
import email.header
import email.message
import email.utils
import re
from dataclasses import dataclass, field

from helpline.core.sanitize import html_to_text, sanitize_html
from helpline.intake.email import classify
from helpline.intake.email.charsets import decode_bytes
from helpline.intake.email.classify import BounceInfo
from helpline.intake.email.ids import id_list, normalize_message_id
from helpline.intake.email.quotes import fold_html, fold_text, is_forward

MAX_BODY_CHARS = 900_000
MAX_PARTS = 500
_SURROGATES = re.compile(r"[\udc80-\udcff]")
_ADDRESS = re.compile(r"^[^@\s<>\"(),;:]+@[^@\s<>\"(),;:]+\.[^@\s<>\"(),;:]+$")


class ParseError(ValueError):
    """The message cannot become a ticket (e.g. it has no sender address)."""


@dataclass(frozen=True)
class ParsedAttachment:
    filename: str
    content_type: str
    content: bytes
    content_id: str = ""
    inline: bool = False


@dataclass(frozen=True)
class ParsedEmail:
    message_id: str
    subject: str
    from_address: str
    from_name: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    reply_to: str
    date: dt.datetime | None
    in_reply_to: str
    references: tuple[str, ...]
    text: str  # the full plain text, quotes included
    html: str  # the full sanitised HTML ("" for plain-text mail)
    visible_text: str  # what the author wrote: quotes and signature folded out
    visible_html: str
    folded: bool
    attachments: tuple[ParsedAttachment, ...]
    charsets: tuple[str, ...]
    is_auto_reply: bool = False
    is_bounce: bool = False
    is_bulk: bool = False
    suppress_auto_response: bool = False
    auto_reasons: tuple[str, ...] = ()
    bounce: BounceInfo | None = None
    defects: tuple[str, ...] = field(default=())

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """Message-IDs this one answers, nearest first."""
        ids = [self.in_reply_to] if self.in_reply_to else []
        ids += [ref for ref in reversed(self.references) if ref != self.in_reply_to]
        return tuple(ids)


# --- headers -------------------------------------------------------------------------


def _unescape_8bit(value: str) -> str:
    """Headers with raw 8-bit bytes arrive as surrogates: decode them like a body."""
    if not _SURROGATES.search(value):
        return value
    data = value.encode("ascii", "surrogateescape")
    return decode_bytes(data)[0]


def decode_header(value: object) -> str:
    """A header value as text: RFC 2047 words decoded, 8-bit bytes guessed, one line."""
    if value is None:
        return ""
    if isinstance(value, email.header.Header):
        value = str(value)
    text = str(value)
    if "=?" in text:
        try:
            parts = email.header.decode_header(text)
        except (email.errors.HeaderParseError, ValueError, LookupError):
            parts = [(text, None)]
        pieces = []
        for chunk, charset in parts:
            if isinstance(chunk, bytes) and charset:
                pieces.append(decode_bytes(chunk, charset)[0])
            elif isinstance(chunk, bytes):
                # decode_header hands back the plain stretches as raw-unicode-escape bytes
                pieces.append(_unescape_8bit(chunk.decode("raw-unicode-escape", "replace")))
            else:
                pieces.append(_unescape_8bit(chunk))
        text = "".join(pieces)
    else:
        text = _unescape_8bit(text)
    return " ".join(text.split())


Headers = dict[str, list[str]]


def header_map(message: email.message.Message) -> Headers:
    """Every header as received (8-bit bytes as surrogates), by lower-case name: one pass,
    because Message.get scans all headers on every call."""
    heads: Headers = {}
    for key, value in message.raw_items():
        heads.setdefault(key.lower(), []).append(str(value))
    return heads


def first(heads: Headers, name: str) -> str:
    values = heads.get(name)
    return values[0] if values else ""


_SIMPLE_ADDRESS = re.compile(
    r"^\s*(?:([^<>\"(),;:@]*?)\s*<([^<>\s,]+@[^<>\s,]+)>|([^<>\s,]+@[^<>\s,]+))\s*$"
)


def _simple_addresses(values: list[str]) -> list[tuple[str, str]] | None:
    """The common "Name <a@b>, c@d" forms without the full RFC 5322 parser (it is slow)."""
    pairs = []
    for value in values:
        if '"' in value or "(" in value or ";" in value or "\\" in value:
            return None
        for item in value.split(","):
            if not item.strip():
                continue
            match = _SIMPLE_ADDRESS.match(item)
            if match is None:
                return None
            pairs.append((match.group(1) or "", match.group(2) or match.group(3)))
    return pairs


def _addresses(heads: Headers, name: str) -> list[tuple[str, str]]:
    values = heads.get(name, [])
    if not values:
        return []
    pairs = _simple_addresses(values)
    if pairs is None:
        try:
            pairs = email.utils.getaddresses(values)
        except (ValueError, TypeError, IndexError):
            pairs = []
    if not any("@" in address for _, address in pairs):
        # Broken mailers encode the whole header, address included: decode, then split.
        try:
            pairs = email.utils.getaddresses([decode_header(v) for v in values])
        except (ValueError, TypeError, IndexError):
            pairs = []
    result = []
    for display, address in pairs:
        address = _unescape_8bit(address).strip().strip("<>").lower()
        if len(address) <= 254 and _ADDRESS.match(address):
            result.append((decode_header(display).strip('" '), address))
    return result


def _date(heads: Headers) -> dt.datetime | None:
    value = first(heads, "date")
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=dt.UTC)
    return parsed


# --- bodies --------------------------------------------------------------------------


@dataclass
class _Collected:
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    attachments: list[ParsedAttachment] = field(default_factory=list)
    charsets: list[str] = field(default_factory=list)
    reports: list[email.message.Message] = field(default_factory=list)
    parts: int = 0


def _payload_bytes(part: email.message.Message) -> bytes:
    try:
        payload = part.get_payload(decode=True)
    except (ValueError, TypeError, LookupError, AssertionError):
        payload = None
    if payload is None:
        raw = part.get_payload()
        if isinstance(raw, str):
            return raw.encode("ascii", "surrogateescape")
        return b""
    return payload


def param(part: email.message.Message, name: str) -> str:
    """A Content-Type parameter as text (RFC 2231 values collapsed), "" when absent or bad."""
    try:
        value = part.get_param(name)
        if isinstance(value, tuple):
            value = email.utils.collapse_rfc2231_value(value)
    except (ValueError, TypeError, LookupError, UnicodeError):
        return ""
    return value if isinstance(value, str) else ""


def _text_of(part: email.message.Message, out: _Collected) -> str:
    data = _payload_bytes(part)
    text, used = decode_bytes(data, param(part, "charset"))
    out.charsets.append(used)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _filename(part: email.message.Message) -> str:
    try:
        name = part.get_filename() or param(part, "name")
    except (ValueError, TypeError, LookupError, UnicodeError):
        name = ""
    if isinstance(name, tuple):  # an RFC 2231 value get_filename could not collapse
        name = email.utils.collapse_rfc2231_value(name)
    return decode_header(name)


_EXTENSIONS = {
    "text/calendar": "invite.ics",
    "message/rfc822": "message.eml",
    "text/rfc822-headers": "headers.txt",
    "message/delivery-status": "delivery-status.txt",
}


def _attachment(part: email.message.Message, content: bytes, ctype: str) -> ParsedAttachment:
    name = _filename(part)
    if not name:
        main, _, sub = ctype.partition("/")
        name = _EXTENSIONS.get(ctype) or f"{'image' if main == 'image' else 'attachment'}.{sub}"
    content_id = str(part.get("Content-ID") or "").strip().strip("<>")[:250]
    disposition = str(part.get("Content-Disposition") or "").split(";")[0].strip().lower()
    return ParsedAttachment(
        filename=name,
        content_type=ctype,
        content=content,
        content_id=content_id,
        inline=bool(content_id) or disposition == "inline",
    )


def _is_attachment(part: email.message.Message, ctype: str) -> bool:
    raw_disposition = str(part.get("Content-Disposition") or "")
    disposition = raw_disposition.split(";")[0].strip().lower()
    if disposition == "attachment":
        return True
    if ctype not in ("text/plain", "text/html"):
        return True
    if "name" not in raw_disposition and "name" not in str(part.get("Content-Type") or ""):
        return False
    return bool(_filename(part)) and disposition != "inline"


def _walk(part: email.message.Message, out: _Collected, depth: int = 0) -> None:
    out.parts += 1
    if out.parts > MAX_PARTS or depth > 20:
        return
    ctype = part.get_content_type()
    if ctype == "message/rfc822" or (ctype.startswith("message/") and part.is_multipart()):
        _attached_message(part, out, ctype)
        return
    if part.is_multipart():
        payload = part.get_payload()
        if ctype == "multipart/report":
            out.reports.append(part)
        for child in payload if isinstance(payload, list) else []:
            if isinstance(child, email.message.Message):
                _walk(child, out, depth + 1)
        return
    if _is_attachment(part, ctype):
        out.attachments.append(_attachment(part, _payload_bytes(part), ctype))
    elif ctype == "text/html":
        out.html.append(_text_of(part, out))
    else:
        out.plain.append(_text_of(part, out))


def _attached_message(part: email.message.Message, out: _Collected, ctype: str) -> None:
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    try:
        content = inner.as_bytes() if isinstance(inner, email.message.Message) else b""
    except (ValueError, TypeError, LookupError, UnicodeError, KeyError, IndexError):
        content = b""
    if not content:
        content = _payload_bytes(part)
    name = _filename(part)
    if not name and isinstance(inner, email.message.Message):
        subject = decode_header(first(header_map(inner), "subject"))[:100]
        name = f"{subject}.eml" if subject else ""
    attachment = _attachment(
        part, content, "message/rfc822" if ctype == "message/rfc822" else ctype
    )
    if name:
        attachment = ParsedAttachment(
            filename=name,
            content_type=attachment.content_type,
            content=content,
            content_id=attachment.content_id,
        )
    out.attachments.append(attachment)


def _calendar_text(attachments: list[ParsedAttachment]) -> str:
    """A readable line for a calendar invite that came without any text part."""
    for attachment in attachments:
        if attachment.content_type == "text/calendar":
            ics = decode_bytes(attachment.content)[0].replace("\r\n ", "").replace("\n ", "")
            fields = dict(
                re.findall(r"^(SUMMARY|DTSTART|LOCATION)(?:;[^:\n]*)?:(.*)$", ics, re.MULTILINE)
            )
            return "\n".join(f"{key.title()}: {value.strip()}" for key, value in fields.items())
    return ""


def _fold(text: str, html: str, raw_html: str, has_plain: bool) -> tuple[str, str, bool]:
    """Visible text and HTML with quotes and signature folded out; whether any were."""
    visible_text, folded = fold_text(text)
    if not html:
        return visible_text, "", folded
    head, html_folded = fold_html(raw_html)
    visible_html = sanitize_html(head) if html_folded else html
    if not has_plain:
        visible_text, folded = fold_text(html_to_text(visible_html))
    return visible_text, visible_html, folded or html_folded


# --- the entry point -------------------------------------------------------------------

_HEADER_BLOCK_END = re.compile(rb"\r?\n\r?\n")
_BAD_HEADER_LINE = re.compile(rb"^(?![ \t])(?![!-9;-~]+:)(?!From )[^\r\n]+", re.MULTILINE)


def _repair_headers(raw: bytes) -> bytes:
    """Drop lines in the header block that are neither "Name: value" nor a continuation.

    The standard parser ends the headers at the first such line, losing every header
    after it (Message-ID, Content-Type ...) and showing them as body text.
    """
    end = _HEADER_BLOCK_END.search(raw)
    head = raw[: end.start()] if end else raw
    if not _BAD_HEADER_LINE.search(head):
        return raw
    kept = [
        line
        for line in head.splitlines(keepends=True)
        if not _BAD_HEADER_LINE.match(line) or not line.strip()
    ]
    return b"".join(kept) + (raw[end.start() :] if end else b"")


def parse_email(raw: bytes) -> ParsedEmail:
    """Parse raw RFC 5322 bytes. Raises ParseError only when no ticket can come of it."""
    if not raw or not raw.strip():
        raise ParseError("empty message")
    message = email.message_from_bytes(_repair_headers(raw))
    heads = header_map(message)
    # Return-Path (the envelope sender, written by the delivering agent) as a last resort
    senders = (
        _addresses(heads, "from") or _addresses(heads, "sender") or _addresses(heads, "return-path")
    )
    if not senders:
        raise ParseError("no sender address")
    from_name, from_address = senders[0]
    out = _Collected()
    _walk(message, out)
    plain = "\n".join(out.plain).strip()
    raw_html = "\n".join(out.html)
    html = sanitize_html(raw_html) if raw_html.strip() else ""
    text = plain or (html_to_text(html) if html else "") or _calendar_text(out.attachments)
    subject = decode_header(first(heads, "subject"))
    if is_forward(subject):
        visible_text, visible_html, folded = text.strip(), html, False
    else:
        visible_text, visible_html, folded = _fold(text, html, raw_html, bool(plain))
    flags = classify.classify(message, heads, from_address, subject)
    bounce = classify.bounce_info(out.reports, text) if flags.is_bounce else None
    return ParsedEmail(
        message_id=normalize_message_id(first(heads, "message-id")),
        subject=subject[:1000],
        from_address=from_address,
        from_name=from_name[:200],
        to=tuple(address for _, address in _addresses(heads, "to")),
        cc=tuple(address for _, address in _addresses(heads, "cc")),
        reply_to=next((a for _, a in _addresses(heads, "reply-to")), ""),
        date=_date(heads),
        in_reply_to=next(iter(id_list(first(heads, "in-reply-to"))), ""),
        references=id_list(first(heads, "references")),
        text=text[:MAX_BODY_CHARS],
        html=html[:MAX_BODY_CHARS],
        visible_text=visible_text[:MAX_BODY_CHARS],
        visible_html=visible_html[:MAX_BODY_CHARS],
        folded=folded,
        attachments=tuple(out.attachments),
        charsets=tuple(dict.fromkeys(out.charsets)),
        is_auto_reply=flags.is_auto_reply,
        is_bounce=flags.is_bounce,
        is_bulk=flags.is_bulk,
        suppress_auto_response=flags.suppress,
        auto_reasons=flags.reasons,
        bounce=bounce,
        defects=tuple(type(d).__name__ for d in message.defects)[:20],
    )
