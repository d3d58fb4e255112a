"""Built-in SMTP/LMTP receiver (aiosmtpd) so an MTA can deliver straight into Helpline.

The server answers 250 only after the pipeline has committed the message; any failure
answers 451, so the sending MTA keeps the message and retries. Nothing is lost.
"""

from __future__ import annotations

import logging

from aiosmtpd.controller import Controller
from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import SMTP
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections

from helpline.intake.email.pipeline import ingest_message

logger = logging.getLogger(__name__)


def _ingest(raw: bytes, peer: str) -> str:
    close_old_connections()
    try:
        result = ingest_message(raw, source=f"smtp:{peer}")
        return f"250 2.0.0 {result.line()}"
    finally:
        close_old_connections()


def with_return_path(raw: bytes, mail_from: str | None) -> bytes:
    """Record the envelope sender as Return-Path, as a delivering agent does (RFC 5321
    4.4), unless the message has one; bounces (empty MAIL FROM) get none."""
    if not mail_from or mail_from == "<>":
        return raw
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    if any(line.lower().startswith(b"return-path:") for line in head.splitlines()):
        return raw
    sender = mail_from.strip("<>").encode("utf-8", "surrogateescape")
    return b"Return-Path: <" + sender + b">\r\n" + raw


class IngestHandler:
    """aiosmtpd handler: every accepted DATA goes through the same pipeline as IMAP."""

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 - aiosmtpd hook
        raw = envelope.original_content or envelope.content
        if isinstance(raw, str):
            raw = raw.encode("utf-8", "surrogateescape")
        raw = with_return_path(raw, envelope.mail_from)
        peer = str(session.peer[0]) if session.peer else "?"
        try:
            return await sync_to_async(_ingest, thread_sensitive=False)(raw, peer)
        except Exception:
            logger.exception("could not ingest a message from %s; asking the sender to retry", peer)
            return "451 4.3.0 Temporary failure, please retry later"


class _LmtpController(Controller):
    def factory(self):
        return LMTP(
            self.handler, data_size_limit=settings.EMAIL_MAX_MESSAGE_BYTES, enable_SMTPUTF8=True
        )


class _SmtpController(Controller):
    def factory(self):
        return SMTP(
            self.handler, data_size_limit=settings.EMAIL_MAX_MESSAGE_BYTES, enable_SMTPUTF8=True
        )


def make_controller(host: str, port: int, *, lmtp: bool = False) -> Controller:
    controller_class = _LmtpController if lmtp else _SmtpController
    return controller_class(IngestHandler(), hostname=host, port=port)
