"""Django over ASGI with one thread hop per request.

Helpline's middleware and views are all synchronous. Django's own ASGI handler runs
its middleware chain in async mode, so a sync view or middleware costs a switch
between the event loop and a thread at each step, every request gets a new thread
(one `ThreadSensitiveContext` executor each) and the number of requests running Python
at once is unbounded: at concurrency 32 two dozen threads fight for the GIL and for
the eight pooled database connections. Measured with bench/intake.py and a profile:
those hops, the per-request threads and the GIL contention were a quarter of the
server's CPU per created ticket.

This handler reads the body on the event loop, then runs the whole request (the
`request_started` signal, the synchronous middleware chain, the view, rendering and
`request_finished`, which hands the database connection back to the pool) in one
call on a fixed pool of `WEB_THREADS` threads, and sends the answer from the event
loop. Requests beyond the pool wait on the event loop, costing nothing. It is what a
threaded WSGI server does, while WebSockets stay on Channels in the same process.

What differs from Django's handler: a client that disconnects does not cancel a
request already running (as under WSGI), and a streaming response with a synchronous
iterator is read in the worker thread (Django's handler also reads it whole before
sending, see `StreamingHttpResponse.__aiter__`).
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from typing import Any

from asgiref.sync import SyncToAsync
from django.core import signals
from django.core.exceptions import RequestAborted
from django.core.handlers import base
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.http import FileResponse, HttpResponseBase
from django.urls import set_script_prefix

# The event loop of the request being served, seen from its worker thread: work that
# only needs the loop (a live-update broadcast) is handed to it without waiting.
_serving_loop: ContextVar[asyncio.AbstractEventLoop | None] = ContextVar(
    "serving_loop", default=None
)


def serving_loop() -> asyncio.AbstractEventLoop | None:
    """The loop serving this request when it runs in this handler's threads, else None."""
    return _serving_loop.get()


class OneHopASGIHandler(ASGIHandler):
    """HTTP through Django's synchronous handler, one pooled thread per request."""

    def __init__(self, threads: int) -> None:
        base.BaseHandler.__init__(self)
        self.load_middleware(is_async=False)
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="http")
        self._respond_in_thread = SyncToAsync(
            self._respond, thread_sensitive=False, executor=self.executor
        )

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        _serving_loop.set(asyncio.get_running_loop())  # copied into the worker thread
        try:
            response, parts = await self._respond_in_thread(scope, body_file)
        finally:
            body_file.close()
        if parts is None:  # an asynchronous stream: sent as Django's handler does
            try:
                await self.send_response(response, send)
            finally:
                await SyncToAsync(response.close, thread_sensitive=False, executor=self.executor)()
            return
        await send(
            {
                "type": "http.response.start",
                "status": response.status_code,
                "headers": _headers(response),
            }
        )
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            for chunk, last_chunk in self.chunk_bytes(part):
                await send(
                    {
                        "type": "http.response.body",
                        "body": chunk,
                        "more_body": not (last and last_chunk),
                    }
                )

    def _respond(self, scope: dict, body_file: Any) -> tuple[HttpResponseBase, list[bytes] | None]:
        """The whole request in this worker thread; the body parts, or None to stream."""
        set_script_prefix(get_script_prefix(scope))
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, response = self.create_request(scope, body_file)
        if request is not None:
            response = self.get_response(request)
            response._handler_class = self.__class__
            if isinstance(response, FileResponse):
                response.block_size = self.chunk_size
        if response.streaming and response.is_async:
            return response, None
        try:
            parts = list(response) if response.streaming else [response.content]
        finally:
            response.close()  # sends request_finished: the connection goes back to the pool
        return response, parts or [b""]


def _headers(response: HttpResponseBase) -> list[tuple[bytes, bytes]]:
    headers = [
        (header.encode("ascii"), value.encode("latin1")) for header, value in response.items()
    ]
    headers += [
        (b"Set-Cookie", cookie.output(header="").encode("ascii").strip())
        for cookie in response.cookies.values()
    ]
    return headers
