"""WebSocket routes. Apps add their consumers here."""

from django.urls import path

from helpline.core.consumers import LiveUpdatesConsumer

websocket_urlpatterns = [
    path("ws/live/", LiveUpdatesConsumer.as_asgi()),
]
