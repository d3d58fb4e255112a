"""Background work of dispatch: triage a new ticket, retrain the triage model."""

from __future__ import annotations

import logging

from django_tasks import task

from helpline.tickets.events import TicketChange

logger = logging.getLogger(__name__)


@task()
def triage_ticket(ticket_id: int) -> int:
    """Predict a new ticket's category, team and priority; returns how many fields were set."""
    from helpline.dispatch.services import triage_ticket as run

    return sum(1 for prediction in run(ticket_id) if prediction.applied)


@task()
def train_triage_model(trigger: str = "task") -> int:
    """Train and activate a new triage version; returns its number."""
    from helpline.dispatch.services import train_model

    return train_model(trigger=trigger).version


def on_ticket_change(change: TicketChange) -> None:
    """tickets.events subscriber (after commit): queue triage for every new ticket.

    Nothing is queued while no model has been trained, so a fresh install pays one
    cheap query per new ticket and nothing more.
    """
    if change.kind != "created":
        return
    from helpline.dispatch.models import TriageModel

    if not TriageModel.objects.filter(is_active=True).exists():
        return
    triage_ticket.enqueue(change.ticket_id)
