"""The /ws/live/ consumer: who hears about which change, and presence on a ticket."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from channels.db import database_sync_to_async

from helpline.core.consumers import LiveUpdatesConsumer
from helpline.core.realtime import broadcast_ticket_change
from helpline.tickets.events import TicketChange
from tests.factories import make_ticket

# The consumer closes database connections between calls (channels does so on every
# database_sync_to_async), which would end a test transaction: these tests commit.
pytestmark = pytest.mark.django_db(transaction=True)


class Socket(ApplicationCommunicator):
    """A WebSocket client for the consumer (channels.testing needs daphne, which we lack)."""

    def __init__(self, user) -> None:
        scope = {
            "type": "websocket",
            "path": "/ws/live/",
            "headers": [],
            "query_string": b"",
            "subprotocols": [],
            "user": user,
        }
        super().__init__(LiveUpdatesConsumer.as_asgi(), scope)

    async def connect(self) -> tuple[bool, int | None]:
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(2)
        return response["type"] == "websocket.accept", response.get("code")

    async def send_json_to(self, data: dict) -> None:
        await self.send_input({"type": "websocket.receive", "text": json.dumps(data)})

    async def receive_json_from(self) -> dict:
        return json.loads((await self.receive_output(2))["text"])

    async def disconnect(self) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.wait(2)


async def _connect(user) -> Socket:
    communicator = Socket(user)
    connected, _code = await communicator.connect()
    assert connected
    return communicator


def test_changes_reach_agents_and_only_the_ticket_owner(personas):
    ticket = make_ticket(personas.requester, category=personas.category)

    async def scenario():
        agent = await _connect(personas.l1_agent)
        owner = await _connect(personas.requester)
        stranger = await _connect(personas.other_requester)
        reply = TicketChange(
            "message_added", ticket.pk, personas.l1_agent.pk, extra={"kind": "reply"}
        )
        await database_sync_to_async(broadcast_ticket_change)(reply)
        assert (await agent.receive_json_from())["ticket_id"] == ticket.pk
        assert (await owner.receive_json_from()) == {
            "type": "ticket.changed",
            "kind": "message_added",
            "ticket_id": ticket.pk,
            "fields": [],
        }
        assert await stranger.receive_nothing()
        note = TicketChange(
            "message_added", ticket.pk, personas.l1_agent.pk, extra={"kind": "note"}
        )
        await database_sync_to_async(broadcast_ticket_change)(note)
        assert (await agent.receive_json_from())["ticket_id"] == ticket.pk
        assert await owner.receive_nothing()
        for communicator in (agent, owner, stranger):
            await communicator.disconnect()

    async_to_sync(scenario)()


def test_agents_on_the_same_ticket_see_each_other_and_typing(personas):
    ticket = make_ticket(personas.requester, category=personas.category)

    async def scenario():
        alice = await _connect(personas.l1_agent)
        sue = await _connect(personas.supervisor)
        rita = await _connect(personas.requester)
        await alice.send_json_to({"action": "watch", "ticket": ticket.pk})
        await sue.send_json_to({"action": "watch", "ticket": ticket.pk})
        joined = await alice.receive_json_from()
        assert (joined["event"], joined["user"]["name"]) == ("join", "Sue Supervisor")
        here = await sue.receive_json_from()
        assert (here["event"], here["user"]["name"]) == ("here", "Alice L1")
        await sue.send_json_to({"action": "typing"})
        assert (await alice.receive_json_from())["event"] == "typing"
        # a requester may not watch, and hears nothing of the agents
        await rita.send_json_to({"action": "watch", "ticket": ticket.pk})
        await alice.send_json_to({"action": "typing"})
        assert (await sue.receive_json_from())["event"] == "typing"
        assert await rita.receive_nothing()
        await sue.disconnect()
        left = await alice.receive_json_from()
        assert (left["event"], left["user"]["name"]) == ("leave", "Sue Supervisor")
        await alice.disconnect()
        await rita.disconnect()

    async_to_sync(scenario)()


def test_agent_cannot_watch_a_ticket_outside_their_teams(personas):
    ticket = make_ticket(personas.requester, team=personas.l3_team, actor=personas.admin)

    async def scenario():
        outsider = await _connect(personas.l1_agent)
        carol = await _connect(personas.agent_other_team)
        await outsider.send_json_to({"action": "watch", "ticket": ticket.pk})
        await carol.send_json_to({"action": "watch", "ticket": ticket.pk})
        assert await carol.receive_nothing()
        await outsider.disconnect()
        await carol.disconnect()

    async_to_sync(scenario)()


def test_anonymous_socket_is_refused():
    from django.contrib.auth.models import AnonymousUser

    async def scenario():
        connected, code = await Socket(AnonymousUser()).connect()
        assert (connected, code) == (False, 4401)

    async_to_sync(scenario)()
