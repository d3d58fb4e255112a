"""The notification hook: SLA warnings and breaches, announced after commit.

The notifications app subscribes here (in its AppConfig.ready) to tell the assignee and
the supervisors; the SlaAlert row is written first, so nothing is lost if no one listens.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SlaAlertRaised:
    """A ticket crossed a warning threshold (e.g. 75% of its target) or breached it (100%)."""

    alert_id: int
    ticket_id: int
    metric: str  # first_response | next_response | resolution
    kind: str  # warning | breach
    threshold: int
    due_at: dt.datetime
    recipient_ids: tuple[int, ...]  # the assignee (if any) and the supervisors
    action: str = ""  # what a breach did: record | raise_priority | escalate_tier


Subscriber = Callable[[SlaAlertRaised], None]
_subscribers: list[Subscriber] = []


def subscribe(subscriber: Subscriber) -> Subscriber:
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)
    return subscriber


def unsubscribe(subscriber: Subscriber) -> None:
    if subscriber in _subscribers:
        _subscribers.remove(subscriber)


def publish(alert: SlaAlertRaised) -> None:
    if _subscribers:
        transaction.on_commit(lambda: _deliver(alert))


def _deliver(alert: SlaAlertRaised) -> None:
    for subscriber in list(_subscribers):
        try:
            subscriber(alert)
        except Exception:
            logger.exception("SLA alert subscriber %r failed on %s", subscriber, alert)
