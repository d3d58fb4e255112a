"""`helpline jobs list|run NAME`: see the periodic schedule, or run one job now."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from helpline.config.schedule import SCHEDULE
from helpline.core.scheduling import run_job


class Command(BaseCommand):
    help = "List the periodic jobs or run one now."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["list", "run"])
        parser.add_argument("name", nargs="?")

    def handle(self, *args, action: str, name: str | None, **options) -> None:
        if action == "list":
            for job in SCHEDULE:
                self.stdout.write(
                    f"{job.name:28} every {job.interval_seconds:>6}s  {job.description}"
                )
            return
        if not name:
            raise CommandError("Name the job to run; see `helpline jobs list`.")
        try:
            result = run_job(name)
        except KeyError as exc:
            raise CommandError(f"No periodic job named {name!r}.") from exc
        self.stdout.write(f"{name}: {result!r}")
