"""The periodic jobs, defined once; `helpline scheduler` enqueues them, `helpline jobs run NAME` runs one now."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    interval_seconds: int
    function: str  # dotted path to a callable taking no arguments
    description: str


SCHEDULE: tuple[PeriodicJob, ...] = (
    PeriodicJob(
        "close-solved-tickets",
        3600,
        "helpline.tickets.services.close_solved_tickets",
        "Close tickets solved more than TICKET_AUTO_CLOSE_DAYS days ago.",
    ),
    PeriodicJob(
        "deliver-notifications",
        10,
        "helpline.notifications.services.process_outbox",
        "Render owed notifications and send due e-mails from the outbox, with retries.",
    ),
    PeriodicJob(
        "sla-scan",
        60,
        "helpline.sla.services.scan_sla",
        "Raise due SLA warnings and breaches (and their escalations).",
    ),
    PeriodicJob(
        "poll-mailboxes",
        60,
        "helpline.intake.email.imap.poll_all_mailboxes",
        "Fetch new mail from every active IMAP mailbox.",
    ),
    PeriodicJob(
        "rules-timer",
        300,
        "helpline.dispatch.rules.services.run_timer_rules",
        "Run timer rules (e.g. remind, then close tickets pending for days).",
    ),
    PeriodicJob(
        "presence-sweep",
        60,
        "helpline.dispatch.routing.sweep_presence",
        "Mark idle agents away, silent agents offline (handing their new tickets back).",
    ),
    PeriodicJob(
        "prune-schedule-ledger",
        86400,
        "helpline.core.scheduling.prune_ledger",
        "Forget schedule claims older than two days.",
    ),
    PeriodicJob(
        "triage-train",
        86400,
        "helpline.dispatch.services.train_scheduled",
        "Retrain the auto-triage model on the ticket history (a new version).",
    ),
)


def job_named(name: str) -> PeriodicJob:
    for job in SCHEDULE:
        if job.name == name:
            return job
    raise KeyError(name)
