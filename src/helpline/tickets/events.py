"""What tickets.services announce after a commit, for the apps that build on tickets.

`tickets` imports none of those apps: they subscribe here (in their AppConfig.ready),
and every announcement is delivered only once the transaction has committed, so no
subscriber ever sees a change that was rolled back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TicketChange:
    """A ticket was created, updated or got a message."""

    kind: str  # "created" | "updated" | "message_added" | "merged"
    ticket_id: int
    actor_id: int | None = None
    fields: tuple[str, ...] = ()
    message_id: int | None = None
    extra: dict = field(default_factory=dict)


Subscriber = Callable[[TicketChange], None]
_subscribers: list[Subscriber] = []


def subscribe(subscriber: Subscriber) -> Subscriber:
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)
    return subscriber


def unsubscribe(subscriber: Subscriber) -> None:
    if subscriber in _subscribers:
        _subscribers.remove(subscriber)


def publish(change: TicketChange) -> None:
    """Deliver the change to every subscriber after the current transaction commits."""
    if _subscribers:
        transaction.on_commit(lambda: _deliver(change))


def _deliver(change: TicketChange) -> None:
    for subscriber in list(_subscribers):
        try:
            subscriber(change)
        except Exception:
            # One broken subscriber must not undo or block the others.
            logger.exception("ticket event subscriber %r failed on %s", subscriber, change)
