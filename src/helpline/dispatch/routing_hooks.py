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
    if change.kind == "created" or (
        change.kind == "updated" and {"team", "assignee"} & set(change.fields)
    ):
        if change.kind == "updated" and change.extra.get("assignee_id"):
            return
        if _routable_teams():
            route_ticket_task.enqueue(change.ticket_id)
