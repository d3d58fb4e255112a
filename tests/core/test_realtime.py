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
