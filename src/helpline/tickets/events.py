"""What tickets.services announce after a commit, for the apps that build on tickets.

`tickets` imports none of those apps: they subscribe here (in their AppConfig.ready),
and every announcement is delivered only once the transaction has committed, so no
subscriber ever sees a change that was rolled back.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Iterator
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
# Called inside the service's transaction: for writes that must commit or roll back
# together with the change (the notification outbox). Keep them to one cheap INSERT.
_in_transaction: list[Subscriber] = []


def subscribe_in_transaction(subscriber: Subscriber) -> Subscriber:
    if subscriber not in _in_transaction:
        _in_transaction.append(subscriber)
    return subscriber


def subscribe(subscriber: Subscriber) -> Subscriber:
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)
    return subscriber


def unsubscribe(subscriber: Subscriber) -> None:
    for registry in (_subscribers, _in_transaction):
        if subscriber in registry:
            registry.remove(subscriber)


@contextlib.contextmanager
def muted() -> Iterator[None]:
    """Announce nothing while loading history (demo data, imports): it is not news."""
    saved = (list(_subscribers), list(_in_transaction))
    _subscribers.clear()
    _in_transaction.clear()
    try:
        yield
    finally:
        _subscribers[:], _in_transaction[:] = saved


def publish(change: TicketChange) -> None:
    """Hand the change to in-transaction subscribers now, and to the others after commit."""
    for subscriber in list(_in_transaction):
        subscriber(change)
    if _subscribers:
        transaction.on_commit(lambda: _deliver(change))


def _deliver(change: TicketChange) -> None:
    for subscriber in list(_subscribers):
        try:
            subscriber(change)
        except Exception:
            # One broken subscriber must not undo or block the others.
            logger.exception("ticket event subscriber %r failed on %s", subscriber, change)
