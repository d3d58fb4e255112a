"""With REDIS_URL set, the channel layer, the cache and readiness use the real Redis."""

import pytest
from asgiref.sync import async_to_sync
from django.core.cache import cache

pytestmark = [pytest.mark.redis, pytest.mark.django_db]


def test_settings_pick_redis_backends(redis_url, settings):
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"


def test_cache_round_trips_through_redis(redis_url):
    import redis

    cache.set("helpline-test-key", {"n": 1}, 30)

    assert cache.get("helpline-test-key") == {"n": 1}
    assert any(b"helpline-test-key" in key for key in redis.Redis.from_url(redis_url).keys("*helpline-test-key*"))


def test_channel_layer_delivers_group_messages_through_redis(redis_url):
    from channels.layers import get_channel_layer

    layer = get_channel_layer()

    async def round_trip():
        channel = await layer.new_channel()
        await layer.group_add("helpline-test", channel)
        await layer.group_send("helpline-test", {"type": "ticket.changed", "payload": {"ticket_id": 7}})
        message = await layer.receive(channel)
        await layer.group_discard("helpline-test", channel)
        return message

    assert async_to_sync(round_trip)()["payload"] == {"ticket_id": 7}


def test_readyz_checks_redis(redis_url, client):
    response = client.get("/readyz")

    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "tasks": "ok", "redis": "ok"}
