"""`helpline mailboxes list|poll|watch`: the IMAP side of the e-mail channel."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from helpline.intake.email import imap
from helpline.intake.models import Mailbox


class Command(BaseCommand):
    help = "List IMAP mailboxes, poll them once, or watch one with IMAP IDLE."

    def add_arguments(self, parser) -> None:
        parser.add_argument("action", choices=["list", "poll", "watch"])
        parser.add_argument("address", nargs="?", help="Only this mailbox")

    def handle(self, *args, action: str, address: str | None, **options) -> None:
        mailboxes = Mailbox.objects.filter(is_active=True).exclude(imap_host="")
        if address:
            mailboxes = mailboxes.filter(address__iexact=address)
        if action == "list":
            for mailbox in mailboxes:
                self.stdout.write(
                    f"{mailbox.address}: {mailbox.imap_username}@{mailbox.imap_host}:{mailbox.imap_port}"
                    f"/{mailbox.imap_folder} last polled {mailbox.last_polled_at or 'never'}"
                    f"{' error: ' + mailbox.last_poll_error if mailbox.last_poll_error else ''}"
                )
            return
        if action == "poll":
            for mailbox in mailboxes:
                report = imap.poll_mailbox(mailbox)
                outcomes = (
                    ", ".join(f"{k} {v}" for k, v in sorted(report.outcomes.items()))
                    or "nothing new"
                )
                self.stdout.write(
                    f"{mailbox.address}: {outcomes}{'; error: ' + report.error if report.error else ''}"
                )
            return
        if mailboxes.count() != 1:
            raise CommandError("Name exactly one mailbox to watch.")
        imap.watch(mailboxes.get())
