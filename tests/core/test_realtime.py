"""Live updates: broadcast from processes that serve WebSockets, or through Redis."""

from channels.layers import get_channel_layer

from helpline.core import realtime


def test_in_memory_layer_is_skipped_in_processes_without_websockets(monkeypatch):
    layer = get_channel_layer()
    monkeypatch.setenv("HELPLINE_PROCESS", "worker")
    assert realtime._reaches_browsers(layer) is False
    monkeypatch.setenv("HELPLINE_PROCESS", "serve")
    assert realtime._reaches_browsers(layer) is True


def test_a_shared_layer_is_always_used(monkeypatch):
    class SharedLayer:  # e.g. channels_redis: reaches every web process
        pass

    monkeypatch.setenv("HELPLINE_PROCESS", "worker")
    assert realtime._reaches_browsers(SharedLayer()) is True


def test_in_a_handler_thread_the_broadcast_is_handed_to_the_loop_without_waiting(monkeypatch):
    """Through OneHopASGIHandler the request thread queues the send on the serving loop."""
    import asyncio
    import contextvars
    import threading

    from helpline.config import handler
    from helpline.core.consumers import STAFF_GROUP
    from helpline.tickets.events import TicketChange

    monkeypatch.setenv("HELPLINE_PROCESS", "serve")
    layer = get_channel_layer()
    change = TicketChange("updated", ticket_id=7, fields=("status",), extra={"requester_id": 3})

    async def scenario():
        channel = await layer.new_channel()
        await layer.group_add(STAFF_GROUP, channel)
        handler._serving_loop.set(asyncio.get_running_loop())
        returned = threading.Event()
        context = contextvars.copy_context()  # as SyncToAsync carries it into the thread

        def request_thread():
            context.run(realtime.broadcast_ticket_change, change)
            returned.set()

        thread = threading.Thread(target=request_thread)
        thread.start()
        # The loop is not free until this coroutine awaits: had the thread waited for
        # the send (async_to_sync), it could not have returned by now.
        thread.join(timeout=5)
        assert returned.is_set()
        message = await asyncio.wait_for(layer.receive(channel), timeout=5)
        await layer.group_discard(STAFF_GROUP, channel)
        return message

    message = asyncio.run(scenario())

    assert message == {
        "type": "ticket.changed",
        "payload": {"kind": "updated", "ticket_id": 7, "fields": ["status"]},
    }


def test_outside_the_handler_there_is_no_serving_loop():
    from helpline.config.handler import serving_loop

    assert serving_loop() is None
