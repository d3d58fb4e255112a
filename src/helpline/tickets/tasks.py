"""Background tasks of the ticket core."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_ticket_change(payload: dict) -> str:
    """Hand one committed ticket change to the apps that build on tickets (SLA, search,
    triage, rules, routing). One task per change, whatever the number of subscribers."""
    from helpline.tickets import events

    change = events.from_payload(payload)
    events.deliver_to_subscribers(change)
    return f"{change.kind} #{change.ticket_id}"
