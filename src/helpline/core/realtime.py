"""Fan ticket changes out to WebSocket clients through the channel layer."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os

from asgiref.sync import async_to_sync
from channels.layers import InMemoryChannelLayer, get_channel_layer

from helpline.config.handler import serving_loop
from helpline.core.consumers import STAFF_GROUP, requester_group
from helpline.tickets.events import TicketChange

logger = logging.getLogger(__name__)


def _requester_id(change: TicketChange) -> int | None:
    """Who to tell on the requester's side; internal notes are never announced to them."""
    if change.extra.get("kind") == "note":
        return None
    requester_id = change.extra.get("requester_id")
    if requester_id:
        return requester_id
    from helpline.tickets.models import Ticket

    return Ticket.objects.filter(pk=change.ticket_id).values_list("requester_id", flat=True).first()


def _reaches_browsers(layer) -> bool:
    """An in-memory channel layer only reaches sockets of this process: from a worker or a
    command-line process (no WebSockets here) the broadcast would go nowhere, at a cost."""
    if not isinstance(layer, InMemoryChannelLayer):
        return True
    return os.environ.get("HELPLINE_PROCESS", "") not in PROCESSES_WITHOUT_SOCKETS


PROCESSES_WITHOUT_SOCKETS = frozenset(
    {
        "worker",
        "scheduler",
        "email",
        "mailboxes",
        "mailserver",
        "demo",
        "jobs",
        "kb",
        "triage",
        "bench",
    }
)


def broadcast_ticket_change(change: TicketChange) -> None:
    layer = get_channel_layer()
    if layer is None or not _reaches_browsers(layer):
        return
    payload = {"kind": change.kind, "ticket_id": change.ticket_id, "fields": list(change.fields)}
    message = {"type": "ticket.changed", "payload": payload}
    groups = [STAFF_GROUP]
    requester_id = _requester_id(change)
    if requester_id:
        groups.append(requester_group(requester_id))
    loop = serving_loop()
    if loop is not None:
        # In a request of the server's handler: the event loop sends it while the
        # request goes on. A live update is a hint to reload; nobody waits for it.
        future = asyncio.run_coroutine_threadsafe(_send_all(layer, groups, message), loop)
        future.add_done_callback(lambda done: _log_failure(done, change.ticket_id))
        return
    try:
        # One hop to the event loop for all groups: each async_to_sync call costs a
        # thread switch on the request's hot path.
        async_to_sync(_send_all)(layer, groups, message)
    except Exception:
        logger.warning("live update for ticket %s not sent", change.ticket_id, exc_info=True)


def _log_failure(done: concurrent.futures.Future, ticket_id: int) -> None:
    if not done.cancelled() and done.exception() is not None:
        logger.warning("live update for ticket %s not sent", ticket_id, exc_info=done.exception())


async def _send_all(layer, groups: list[str], message: dict) -> None:
    for group in groups:
        await layer.group_send(group, message)
