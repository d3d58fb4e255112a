"""`helpline scheduler`: enqueues periodic jobs; safe to run on several machines at once."""

from __future__ import annotations

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
        run_forever(poll)
