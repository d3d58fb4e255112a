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

from django.db import DEFAULT_DB_ALIAS, router, transaction

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
# Delivered by the task worker after commit: SLA clocks, search indexing, triage, rules,
# routing. The request that made the change pays one task INSERT for all of them.
_subscribers: list[Subscriber] = []
# Delivered in the request right after commit: only cheap, database-free work (live
# updates over WebSockets).
_after_commit: list[Subscriber] = []
# Called inside the service's transaction: for writes that must commit or roll back
# together with the change (the notification outbox). Keep them to one cheap INSERT.
_in_transaction: list[Subscriber] = []


def subscribe_in_transaction(subscriber: Subscriber) -> Subscriber:
    if subscriber not in _in_transaction:
        _in_transaction.append(subscriber)
    return subscriber


def subscribe_after_commit(subscriber: Subscriber) -> Subscriber:
    if subscriber not in _after_commit:
        _after_commit.append(subscriber)
    return subscriber


def subscribe(subscriber: Subscriber) -> Subscriber:
    """Receive every change after commit, in the task worker (in tests: at once)."""
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)
    return subscriber


def unsubscribe(subscriber: Subscriber) -> None:
    for registry in (_subscribers, _after_commit, _in_transaction):
        if subscriber in registry:
            registry.remove(subscriber)


@contextlib.contextmanager
def muted() -> Iterator[None]:
    """Announce nothing while loading history (demo data, imports): it is not news."""
    saved = (list(_subscribers), list(_after_commit), list(_in_transaction))
    for registry in (_subscribers, _after_commit, _in_transaction):
        registry.clear()
    try:
        yield
    finally:
        _subscribers[:], _after_commit[:], _in_transaction[:] = saved


def publish(change: TicketChange) -> None:
    """In-transaction subscribers now; after commit, the cheap ones here and the rest in the worker.

    The worker's task is queued inside the transaction when the queue is a table of
    the same database (the default), otherwise right after commit.
    """
    for subscriber in list(_in_transaction):
        subscriber(change)
    if _after_commit:
        transaction.on_commit(lambda: _deliver(change, _after_commit))
    if not _subscribers:
        return
    if _queue_is_this_database():
        # The queue row commits or rolls back with the change: no delivery is lost
        # between the commit and the enqueue, and no extra transaction is paid for it.
        _deliver_task().enqueue(as_payload(change))
    else:
        transaction.on_commit(lambda: _enqueue(change))


def _deliver_task():  # noqa: ANN202 - a django_tasks Task
    from helpline.tickets.tasks import deliver_ticket_change

    return deliver_ticket_change


def _queue_is_this_database() -> bool:
    """True when the task queue is a table of the database this transaction writes to."""
    from django_tasks_db import DatabaseBackend

    if not transaction.get_connection().in_atomic_block:
        return False
    if not isinstance(_deliver_task().get_backend(), DatabaseBackend):
        return False  # Redis (RQ) or the immediate backend of the tests: after commit
    from django_tasks_db.models import DBTaskResult

    return router.db_for_write(DBTaskResult) == DEFAULT_DB_ALIAS


def _enqueue(change: TicketChange) -> None:
    try:
        _deliver_task().enqueue(as_payload(change))
    except Exception:
        # The change itself is committed; periodic jobs (SLA scan, re-indexing) catch up.
        logger.exception("could not queue the delivery of %s", change)


def as_payload(change: TicketChange) -> dict:
    return {
        "kind": change.kind,
        "ticket_id": change.ticket_id,
        "actor_id": change.actor_id,
        "fields": list(change.fields),
        "message_id": change.message_id,
        "extra": change.extra,
    }


def from_payload(payload: dict) -> TicketChange:
    return TicketChange(
        payload["kind"],
        payload["ticket_id"],
        payload.get("actor_id"),
        tuple(payload.get("fields") or ()),
        payload.get("message_id"),
        payload.get("extra") or {},
    )


def deliver_to_subscribers(change: TicketChange) -> None:
    """What the worker runs for each change."""
    _deliver(change, _subscribers)


def _deliver(change: TicketChange, subscribers: list[Subscriber]) -> None:
    for subscriber in list(subscribers):
        try:
            subscriber(change)
        except Exception:
            # One broken subscriber must not undo or block the others.
            logger.exception("ticket event subscriber %r failed on %s", subscriber, change)
