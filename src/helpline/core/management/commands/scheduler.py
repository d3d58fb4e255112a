"""`helpline scheduler`: enqueues periodic jobs; safe to run on several machines at once."""

from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand

from helpline.core.scheduling import run_forever, tick


class Command(BaseCommand):
    help = "Run the periodic scheduler (each job runs once per slot, however many schedulers run)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--once", action="store_true", help="Do one tick and exit")
        parser.add_argument("--poll", type=float, default=5.0)

    def handle(self, *args, once: bool, poll: float, **options) -> None:
        if once:
            self.stdout.write(", ".join(tick()) or "nothing due")
            return
        stopping = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stopping.set())
        run_forever(poll, stop=stopping.is_set, sleep=stopping.wait)
