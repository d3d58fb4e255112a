"""HTTP through helpline.config.handler: the whole request in one pooled thread."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest
from django.db import connection
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse
from django.test import override_settings
from django.urls import path

from helpline.config.handler import OneHopASGIHandler
from helpline.tickets.models import Ticket
from tests.factories import make_user, token_for

pytestmark = pytest.mark.django_db(transaction=True)

seen_threads: list[str] = []


def where(request):
    seen_threads.append(threading.current_thread().name)
    return JsonResponse({"thread": threading.current_thread().name})


def streamed(request):
    return StreamingHttpResponse(iter([b"one ", b"two ", b"three"]), content_type="text/plain")


def with_cookie(request):
    response = HttpResponse("ok")
    response.set_cookie("flavour", "plain")
    return response


def broken(request):
    raise RuntimeError("boom")


def large(request):
    return HttpResponse(b"x" * (OneHopASGIHandler.chunk_size * 2 + 10))


urlpatterns = [
    path("where", where),
    path("streamed", streamed),
    path("cookie", with_cookie),
    path("broken", broken),
    path("large", large),
]


def call(app, method: str, path: str, body: bytes = b"", headers: list | None = None) -> dict:
    """One request through an ASGI app; the status, headers and the whole body."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *(headers or [])],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }
    messages: list[dict] = []

    async def run() -> None:
        chunks = [{"type": "http.request", "body": body, "more_body": False}]

        async def receive() -> dict:
            if chunks:
                return chunks.pop()
            await asyncio.sleep(3600)
            return {"type": "http.disconnect"}

        async def send(message: dict) -> None:
            messages.append(message)

        await app(scope, receive, send)

    asyncio.run(run())
    start, bodies = messages[0], messages[1:]
    assert start["type"] == "http.response.start"
    assert [m["more_body"] for m in bodies][-1] is False
    return {
        "status": start["status"],
        "headers": start["headers"],
        "body": b"".join(m["body"] for m in bodies),
        "messages": len(bodies),
    }


@pytest.fixture
def handler():
    with override_settings(ROOT_URLCONF=__name__):
        app = OneHopASGIHandler(threads=2)
        yield app
        app.executor.shutdown(wait=True)


def test_requests_run_in_the_handlers_thread_pool(handler):
    seen_threads.clear()

    responses = [call(handler, "GET", "/where") for _ in range(3)]

    assert [r["status"] for r in responses] == [200, 200, 200]
    assert all(name.startswith("http_") for name in seen_threads)
    assert len(set(seen_threads)) <= 2


def test_streaming_response_is_sent_whole(handler):
    response = call(handler, "GET", "/streamed")

    assert response["status"] == 200
    assert response["body"] == b"one two three"


def test_cookies_become_set_cookie_headers(handler):
    response = call(handler, "GET", "/cookie")

    cookies = [value for name, value in response["headers"] if name == b"Set-Cookie"]
    assert cookies == [b"flavour=plain; Path=/"]


def test_an_exception_in_a_view_is_a_500_not_a_crash(handler):
    response = call(handler, "GET", "/broken")

    assert response["status"] == 500


def test_large_bodies_are_sent_in_chunks(handler):
    response = call(handler, "GET", "/large")

    assert response["messages"] == 3
    assert len(response["body"]) == OneHopASGIHandler.chunk_size * 2 + 10


def test_database_connection_is_released_after_each_request(handler):
    call(handler, "GET", "/where")

    # request_finished ran in the worker thread: it holds no open connection afterwards.
    assert handler.executor.submit(lambda: connection.connection).result() is None


def test_api_ticket_is_created_through_the_handler():
    app = OneHopASGIHandler(threads=2)
    agent = make_user("agent@helpline.test", role="agent")
    requester = make_user("rita@example.org")
    body = json.dumps({"subject": "Printer", "body": "jam", "requester_id": requester.pk})

    response = call(
        app,
        "POST",
        "/api/v1/tickets",
        body.encode(),
        [
            (b"content-type", b"application/json"),
            (b"authorization", f"Bearer {token_for(agent)}".encode()),
        ],
    )
    app.executor.shutdown(wait=True)

    assert response["status"] == 201
    created = json.loads(response["body"])
    assert Ticket.objects.get(pk=created["id"]).requester_id == requester.pk
