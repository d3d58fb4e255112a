"""Live updates over WebSockets: ticket changes as they happen, and who is on a ticket.

Agents join the staff group and hear about every change; requesters only about their own
tickets. An agent on a ticket page also "watches" it: everyone watching the same ticket
hears who joins, who leaves and who is typing (collision detection).
"""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

STAFF_GROUP = "tickets.staff"


def requester_group(user_id: int) -> str:
    return f"tickets.requester.{user_id}"


def ticket_group(ticket_id: int) -> str:
    return f"tickets.ticket.{ticket_id}"


@database_sync_to_async
def _may_watch(user, ticket_id: int) -> bool:
    from helpline.tickets.models import Ticket

    return user.is_agent and Ticket.objects.visible_to(user).filter(pk=ticket_id).exists()


class LiveUpdatesConsumer(AsyncJsonWebsocketConsumer):
    """Agents join the staff group; requesters only hear about their own tickets."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.user = user
        self.watching: int | None = None
        self.groups_joined = [STAFF_GROUP] if user.is_agent else [requester_group(user.pk)]
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        await self._unwatch()
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        if not isinstance(content, dict):
            return
        action = content.get("action")
        if action == "watch":
            ticket_id = content.get("ticket")
            if isinstance(ticket_id, int) and await _may_watch(self.user, ticket_id):
                await self._unwatch()
                self.watching = ticket_id
                await self.channel_layer.group_add(ticket_group(ticket_id), self.channel_name)
                await self._announce("join")
        elif action == "typing" and self.watching:
            await self._announce("typing")
        elif action == "unwatch":
            await self._unwatch()

    async def _unwatch(self) -> None:
        if getattr(self, "watching", None):
            await self._announce("leave")
            await self.channel_layer.group_discard(ticket_group(self.watching), self.channel_name)
            self.watching = None

    def _me(self) -> dict:
        return {"id": self.user.pk, "name": self.user.get_full_name()}

    async def _announce(self, event: str) -> None:
        await self.channel_layer.group_send(
            ticket_group(self.watching),
            {
                "type": "presence.event",
                "event": event,
                "user": self._me(),
                "sender": self.channel_name,
                "ticket": self.watching,
            },
        )

    async def presence_event(self, event: dict) -> None:
        if event.get("sender") == self.channel_name:
            return
        await self.send_json({"type": "presence", "event": event["event"], "user": event["user"]})
        if event["event"] == "join" and self.watching == event.get("ticket"):
            # Tell the newcomer that we are here too.
            await self.channel_layer.send(
                event["sender"],
                {
                    "type": "presence.event",
                    "event": "here",
                    "user": self._me(),
                    "sender": self.channel_name,
                    "ticket": self.watching,
                },
            )

    async def ticket_changed(self, event: dict) -> None:
        await self.send_json({"type": "ticket.changed", **event["payload"]})
