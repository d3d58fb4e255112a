"""`helpline worker`: runs background tasks from the configured task backend."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run a background task worker (database queue, or Redis/RQ when TASK_BACKEND=rq)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--queues", default="*", help="Comma-separated queues, '*' for all")
        parser.add_argument(
            "--batch", action="store_true", help="Process what is queued, then exit"
        )

    def handle(self, *args, queues: str, batch: bool, **options) -> None:
        if settings.TASK_BACKEND == "rq":
            names = ["default", "mail"] if queues == "*" else queues.split(",")
            call_command("rqworker", *names, burst=batch, with_scheduler=True)
            return
        extra = ["--batch"] if batch else []
        call_command("db_worker", "--queue-name", queues, "--no-reload", *extra)
