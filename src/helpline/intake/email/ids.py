"""Message-IDs: normalising them, and reading one cheaply from raw bytes."""

from __future__ import annotations

import hashlib
import re

_MESSAGE_ID = re.compile(rb"^message-id:[ \t]*(.*(?:\r?\n[ \t].*)*)", re.IGNORECASE | re.MULTILINE)
_HEADER_END = re.compile(rb"\r?\n\r?\n")
_ANGLE_ID = re.compile(r"<[^<>\s]+>")


def normalize_message_id(value: str) -> str:
    """ "<id@host>" from a header value, or "" when there is nothing id-like in it."""
    value = " ".join((value or "").split())
    found = _ANGLE_ID.search(value)
    if found:
        return found.group(0)[:990]
    value = value.strip("<> ")
    return f"<{value}>"[:990] if value and " " not in value else ""


def id_list(value: object) -> tuple[str, ...]:
    """The Message-IDs in a References / In-Reply-To value, in order (at most 100)."""
    if not value:
        return ()
    return tuple(ref[:990] for ref in _ANGLE_ID.findall(" ".join(str(value).split())))[:100]


def extract_message_id(raw: bytes) -> str:
    """The normalised Message-ID of raw mail, or "" (reads the header block only)."""
    end = _HEADER_END.search(raw)
    head = raw[: end.start()] if end else raw[:65536]
    match = _MESSAGE_ID.search(head)
    if not match:
        return ""
    return normalize_message_id(match.group(1).decode("ascii", "replace"))


def dedupe_key(raw: bytes) -> str:
    """One key per distinct message: from its Message-ID, else from its bytes (sha256)."""
    message_id = extract_message_id(raw)
    basis = b"mid:" + message_id.encode() if message_id else b"raw:" + raw
    return hashlib.sha256(basis).hexdigest()
