"""Middleware of helpline.core: flash messages only where pages show them."""

from __future__ import annotations

import pytest
from django.contrib import messages
from django.contrib.sessions.backends.db import SessionStore
from django.http import HttpResponse
from django.test import RequestFactory

from helpline.core.middleware import PageMessagesMiddleware
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def _through_middleware(path: str):
    seen = {}

    def view(request):
        seen["has_storage"] = hasattr(request, "_messages")
        return HttpResponse("ok")

    request = RequestFactory().get(path)
    request.session = SessionStore()
    PageMessagesMiddleware(view)(request)
    return seen["has_storage"], request


def test_pages_get_flash_message_storage():
    has_storage, request = _through_middleware("/tickets/")
    assert has_storage
    messages.success(request, "Saved.")  # works as with Django's own middleware


def test_api_calls_get_none():
    has_storage, request = _through_middleware("/api/v1/tickets")
    assert not has_storage
    with pytest.raises(messages.MessageFailure):
        messages.success(request, "never shown")


def test_a_page_flash_message_survives_the_redirect(client):
    agent = make_user("agent@helpline.test", role="agent")
    client.force_login(agent)
    form = {"full_name": "Agent Smith", "phone": "", "language": "en", "time_zone": "UTC"}
    response = client.post("/profile/", form, follow=True)

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == ["Your profile is saved."]
