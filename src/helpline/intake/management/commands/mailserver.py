"""`helpline mailserver`: receive mail from an MTA over SMTP or LMTP."""

from __future__ import annotations

import os
import signal
import threading

from django.core.management.base import BaseCommand

from helpline.intake.email.receiver import make_controller


class Command(BaseCommand):
    help = (
        "Run the built-in SMTP (or LMTP) receiver; every message goes through the e-mail pipeline."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default=os.environ.get("MAILSERVER_HOST", "127.0.0.1"))
        parser.add_argument(
            "--port", type=int, default=int(os.environ.get("MAILSERVER_PORT", "2525"))
        )
        parser.add_argument(
            "--lmtp", action="store_true", help="Speak LMTP (for Postfix/Exim local delivery)"
        )

    def handle(self, *args, host: str, port: int, lmtp: bool, **options) -> None:
        controller = make_controller(host, port, lmtp=lmtp)
        controller.start()
        self.stdout.write(f"Receiving {'LMTP' if lmtp else 'SMTP'} on {host}:{port}; Ctrl-C stops.")
        stopped = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stopped.set())
        stopped.wait()
        controller.stop()
