"""`helpline serve`: the ASGI server (HTTP, API, WebSockets).

With more than one worker, each worker process binds its own listening socket to the
address with SO_REUSEPORT, so the kernel spreads new connections evenly over the
workers. uvicorn's own multi-worker mode shares one socket among its workers, and
whichever worker wakes first may accept every connection of a burst: measured with
keep-alive clients (bench/workspace.py, bench/intake.py), one worker then did all the
work on one core while the other idled.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import socket
import sys
import time

from django.core.management.base import BaseCommand, CommandError

APP = "helpline.config.asgi:application"
# A worker that dies this soon after starting is not restarted: it would only die again.
MIN_UPTIME_S = 5.0


class Command(BaseCommand):
    help = "Serve the web UI, the API and WebSockets with uvicorn."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "1")))
        parser.add_argument("--access-log", action="store_true")

    def handle(
        self, *args, host: str, port: int, workers: int, access_log: bool, **options
    ) -> None:
        if workers < 1:
            raise CommandError("--workers must be at least 1.")
        if workers == 1 or not hasattr(socket, "SO_REUSEPORT"):
            _serve(host, port, access_log, sock=None, workers=workers)
            return
        listening = _listening_socket(host, port)  # fail here, once, if the port is taken
        listening.close()
        _supervise(host, port, access_log, workers)


def _uvicorn_options(access_log: bool) -> dict:
    return {
        "lifespan": "off",
        "access_log": access_log,
        "log_level": "info",
        "proxy_headers": True,
    }


def _serve(host: str, port: int, access_log: bool, *, sock, workers: int = 1) -> None:
    import uvicorn

    if sock is None:
        uvicorn.run(APP, host=host, port=port, workers=workers, **_uvicorn_options(access_log))
        return
    config = uvicorn.Config(APP, host=host, port=port, **_uvicorn_options(access_log))
    uvicorn.Server(config).run(sockets=[sock])


def _listening_socket(host: str, port: int) -> socket.socket:
    family, kind, proto, _name, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise CommandError(f"Cannot listen on {host}:{port}: {exc.strerror}.") from exc
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def _worker(host: str, port: int, access_log: bool) -> None:
    """One worker process: its own socket on the shared port, one uvicorn server."""
    # Ctrl-C reaches every process of the group; uvicorn has already shut down by then
    with contextlib.suppress(KeyboardInterrupt):
        _serve(host, port, access_log, sock=_listening_socket(host, port))


def _supervise(host: str, port: int, access_log: bool, workers: int) -> None:
    """Start the workers, restart one that dies, stop them all on SIGINT or SIGTERM."""
    context = multiprocessing.get_context("spawn")
    stopping = False

    def start() -> tuple[multiprocessing.Process, float]:
        process = context.Process(target=_worker, args=(host, port, access_log), daemon=False)
        process.start()
        return process, time.monotonic()

    def stop(signum, _frame) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    running = [start() for _ in range(workers)]
    print(f"Serving on http://{host}:{port} with {workers} workers", file=sys.stderr, flush=True)
    exit_code = 0
    while not stopping:
        time.sleep(0.5)
        for index, (process, started) in enumerate(running):
            if process.is_alive() or stopping:
                continue
            if time.monotonic() - started < MIN_UPTIME_S:
                print(f"A worker failed at start (exit {process.exitcode}).", file=sys.stderr)
                stopping, exit_code = True, 1
                break
            print(f"A worker exited ({process.exitcode}); starting another.", file=sys.stderr)
            running[index] = start()
    for process, _started in running:
        if process.is_alive():
            process.terminate()  # uvicorn shuts down gracefully on SIGTERM
    for process, _started in running:
        process.join(timeout=15)
        if process.is_alive():
            process.kill()
    if exit_code:
        raise CommandError("The server stopped because a worker could not start.")
