"""`helpline demo`: load the demo organisation and ticket history, once."""

from __future__ import annotations

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from helpline.core.demo import builder
from helpline.core.demo.data_org import DEMO_PASSWORD_LOGINS


class Command(BaseCommand):
    help = "Load demo teams, people, categories and 300 tickets (once; a second run does nothing)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--as-of",
            metavar="MOMENT",
            help=(
                "Tell the story as if it were this moment (ISO 8601 with a time zone, e.g. "
                "2026-11-20T12:00:00+00:00) instead of now: the same moment and seed give "
                "the same tickets, for reproducible benchmarks and screenshots."
            ),
        )

    def handle(self, *args, **options) -> None:
        as_of = _moment(options.get("as_of"))
        if builder.is_loaded():
            self.stdout.write(_("The demo data is already loaded; nothing to do."))
            return
        if builder.database_in_use():
            self.stdout.write(
                self.style.WARNING(
                    _(
                        "This database already has teams or tickets: demo data is only "
                        "loaded into an empty database. Nothing was changed."
                    )
                )
            )
            return
        started = time.monotonic()
        counts = builder.load_demo(now=as_of)
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(_("Demo data loaded in %(seconds).1f s:") % {"seconds": elapsed})
        )
        for name, value in counts.items():
            self.stdout.write(f"  {name:16} {value}")
        for field_name in ("status", "channel"):
            breakdown = ", ".join(
                f"{key} {value}" for key, value in builder.ticket_breakdown(field_name).items()
            )
            self.stdout.write(f"  by {field_name:13} {breakdown}")
        self.stdout.write(_("Demo logins:"))
        for email, password in DEMO_PASSWORD_LOGINS.items():
            self.stdout.write(f"  {email} / {password}")


def _moment(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            _("--as-of: %(value)r is not an ISO 8601 moment, e.g. 2026-11-20T12:00:00+00:00")
            % {"value": text}
        ) from None
    if moment.tzinfo is None:
        raise CommandError(_("--as-of needs a time zone, e.g. 2026-11-20T12:00:00+00:00"))
    return moment
