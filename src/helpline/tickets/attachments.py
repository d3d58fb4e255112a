"""Storing uploaded files safely: size limit, checksum, sanitised name, random storage path."""

from __future__ import annotations

import hashlib
import mimetypes
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile

from helpline.core.problems import ServiceError

_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


@dataclass(frozen=True)
class IncomingFile:
    """A file as a channel received it: its claimed name and type, and its bytes."""

    filename: str
    content: bytes
    content_type: str = ""
    content_id: str = ""


def sanitize_filename(name: str) -> str:
    """A file name safe to show and to put in Content-Disposition: no paths, no control characters."""
    name = unicodedata.normalize("NFC", name or "")
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip(" .")
    if not name:
        name = "attachment"
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:190] + dot + ext[:9]) if dot and len(ext) < 10 else name[:200]
    return name


def _content_type(filename: str, claimed: str) -> str:
    claimed = (claimed or "").split(";")[0].strip().lower()
    if re.fullmatch(r"[a-z0-9.+-]+/[a-z0-9.+-]+", claimed):
        return claimed
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def check_size(filename: str, size: int) -> None:
    """Refuse a file over ATTACHMENT_MAX_BYTES (413); callers may check before reading it."""
    if size > settings.ATTACHMENT_MAX_BYTES:
        raise ServiceError(
            f"The file {sanitize_filename(filename)!r} is {size} bytes; the limit is "
            f"{settings.ATTACHMENT_MAX_BYTES} bytes.",
            code="attachment-too-large",
            status=413,
        )


def store_attachment(*, ticket, message, incoming: IncomingFile, uploaded_by):
    """Validate and save one file for a ticket (called inside a tickets.services transaction)."""
    from helpline.tickets.models import Attachment

    size = len(incoming.content)
    check_size(incoming.filename, size)
    filename = sanitize_filename(incoming.filename)
    attachment = Attachment(
        ticket=ticket,
        message=message,
        filename=filename,
        content_type=_content_type(filename, incoming.content_type),
        size=size,
        sha256=hashlib.sha256(incoming.content).hexdigest(),
        content_id=incoming.content_id[:255],
        uploaded_by=uploaded_by,
    )
    attachment.file.save(filename, ContentFile(incoming.content), save=False)
    attachment.save()
    return attachment
