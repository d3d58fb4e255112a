"""Rules react to ticket changes (after commit) through one background task per change."""

from __future__ import annotations

from django_tasks import task

from helpline.tickets.events import TicketChange

TRIGGER_FOR_CHANGE = {"created": "created", "updated": "updated", "message_added": "updated"}


# What a new message may change, as far as conditions can see.
MESSAGE_FIELDS = ("message_count", "status", "hours_since_updated")


@task()
def run_rules_task(ticket_id: int, trigger: str, changed: list[str] | None = None) -> list[str]:
    """Run the trigger's rules on a ticket; returns the names of the rules that fired."""
    from helpline.dispatch.rules.services import run_rules

    return run_rules(ticket_id, trigger, changed_fields=changed)


def _system_user_id() -> int | None:
    from helpline.accounts.models import User
    from helpline.accounts.services import SYSTEM_EMAIL

    return User.objects.filter(email=SYSTEM_EMAIL).values_list("pk", flat=True).first()


def on_ticket_change(change: TicketChange) -> None:
    """Queue rules for a change, unless the change was made by rules themselves."""
    from helpline.dispatch.rules.services import active_triggers, rules_are_acting

    trigger = TRIGGER_FOR_CHANGE.get(change.kind)
    if trigger is None or rules_are_acting() or trigger not in active_triggers():
        return
    if change.actor_id is not None and change.actor_id == _system_user_id():
        return
    changed = list(MESSAGE_FIELDS) if change.kind == "message_added" else list(change.fields)
    run_rules_task.enqueue(change.ticket_id, trigger, changed if trigger == "updated" else None)
