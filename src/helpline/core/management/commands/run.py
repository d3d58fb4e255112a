"""`helpline run`: everything for a single machine in one command (what `make run` calls)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

DEMO_LOGINS = (
    ("admin@example.com", "admin", "administrator"),
    ("agent@example.com", "agent", "L1 operator"),
    ("user@example.com", "user", "requester"),
)


class Command(BaseCommand):
    help = "Migrate, load demo data once, then serve web + API + WebSockets, the worker and the scheduler."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--no-demo", action="store_true")

    def handle(self, *args, host: str, port: int, no_demo: bool, **options) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if not no_demo:
            call_command("demo")
        base = [sys.executable, "-m", "helpline.cli"]
        # Links in e-mails should point at this server unless a public URL is configured.
        os.environ.setdefault("HELPLINE_SITE_URL", f"http://{host}:{port}")
        processes = [
            subprocess.Popen([*base, "serve", "--host", host, "--port", str(port)]),  # noqa: S603
            subprocess.Popen([*base, "worker"]),  # noqa: S603
            subprocess.Popen([*base, "scheduler"]),  # noqa: S603
        ]
        self._announce(host, port, no_demo)
        stopping = False

        def stop(signum, frame) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            while not stopping and all(p.poll() is None for p in processes):
                time.sleep(0.5)
        finally:
            for process in processes:
                if process.poll() is None:
                    process.send_signal(signal.SIGINT)
            deadline = time.monotonic() + 10
            for process in processes:
                try:
                    process.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    process.kill()
            self.stdout.write("Helpline stopped.")

    def _announce(self, host: str, port: int, no_demo: bool) -> None:
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Helpline is running at http://{host}:{port}/"))
        self.stdout.write(f"  API docs:  http://{host}:{port}/api/v1/docs")
        if not no_demo:
            self.stdout.write("  Demo logins:")
            for email, password, role in DEMO_LOGINS:
                self.stdout.write(f"    {email:20} / {password:6} ({role})")
        self.stdout.write("  Press Ctrl-C to stop.")
        self.stdout.write("")
