"""Live updates over WebSockets: signed-in staff receive ticket changes as they happen."""

from __future__ import annotations

from channels.generic.websocket import AsyncJsonWebsocketConsumer

STAFF_GROUP = "tickets.staff"


def requester_group(user_id: int) -> str:
    return f"tickets.requester.{user_id}"


class LiveUpdatesConsumer(AsyncJsonWebsocketConsumer):
    """Agents join the staff group; requesters only hear about their own tickets."""

    async def connect(self) -> None:
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close(code=4401)
            return
        self.groups_joined = [STAFF_GROUP] if user.is_agent else [requester_group(user.pk)]
        for group in self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        await self.accept()

    async def disconnect(self, code: int) -> None:
        for group in getattr(self, "groups_joined", []):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def ticket_changed(self, event: dict) -> None:
        await self.send_json({"type": "ticket.changed", **event["payload"]})
