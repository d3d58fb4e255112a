"""Routing reacts to new tickets and team changes (after commit), in the background."""

from __future__ import annotations

from django_tasks import task

from helpline.tickets.events import TicketChange


@task()
def route_ticket_task(ticket_id: int) -> int | None:
    """Assign the ticket within its team; returns the chosen agent's id."""
    from helpline.dispatch.routing import route_ticket

    agent = route_ticket(ticket_id)
    return agent.pk if agent else None


@task()
def after_create_task(ticket_id: int) -> str:
    """A new ticket: merge it if it is an exact duplicate, flag close matches, then route it."""
    from helpline.dispatch.duplicates import check_new_ticket
    from helpline.dispatch.routing import route_ticket

    match = check_new_ticket(ticket_id)
    if match is not None and match.exact:
        return f"merged into #{match.number}"
    agent = route_ticket(ticket_id) if _routable_teams() else None
    return f"assigned to {agent.email}" if agent else "queued"


def _routable_teams() -> set[int]:
    from django.core.cache import cache

    from helpline.accounts.choices import RoutingStrategy
    from helpline.accounts.models import Team

    teams = cache.get("dispatch:routed-teams")
    if teams is None:
        teams = set(
            Team.objects.exclude(routing_strategy=RoutingStrategy.MANUAL).values_list(
                "pk", flat=True
            )
        )
        cache.set("dispatch:routed-teams", teams, 10)
    return teams


def on_ticket_change(change: TicketChange) -> None:
    """New tickets: duplicates then routing; a team change without an assignee: routing."""
    if change.kind == "created":
        after_create_task.enqueue(change.ticket_id)
        return
    if change.kind != "updated" or not {"team", "assignee"} & set(change.fields):
        return
    if change.extra.get("assignee_id") or not _routable_teams():
        return
    route_ticket_task.enqueue(change.ticket_id)
