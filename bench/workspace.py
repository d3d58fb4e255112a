"""Workspace benchmark: server time of the agent's main pages with many tickets in PostgreSQL.

Loads BENCH_WS_TICKETS tickets (default 100,000; set 1000000 for the 1M check) straight
into a fresh database with bulk inserts, plus one ticket with 50 messages, then measures:

- sequential server time (Django's full request handling, in-process, 200 requests per
  page): the six queue pages, the live list refresh and queue counts the WebSocket
  triggers, and the ticket page with 50 messages;
- the same pages at concurrency 8 through the real ASGI server (uvicorn, 2 workers),
  driven by wrk with the agent's session cookie.

Targets: p95 <= 60 ms for queue pages, <= 80 ms for the 50-message ticket, query counts
constant in the number of rows (asserted in tests/web), and within 2x at 1,000,000.

Knobs: BENCH_WS_TICKETS, BENCH_WS_REQUESTS (200), BENCH_WS_SECONDS (8),
BENCH_PG (postgres://postgres@127.0.0.1:5432). Prints one JSON document.

For tuning: BENCH_WS_REUSE=1 keeps the database of an earlier run with the same number
of tickets (it is migrated, not reloaded); BENCH_WS_PAGES=name,name measures only those
pages (names as in the output, e.g. "queue:mine,ticket with 50 messages");
BENCH_WS_CONCURRENT=0 skips the uvicorn run; BENCH_WS_PROFILE=1 prints each page's
cProfile (top functions by cumulative time, over the timed requests) to stderr.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))
sys.path.append(str(HERE))

import psycopg  # noqa: E402
from _common import (  # noqa: E402
    VENV_BIN,
    Server,
    cpu_seconds,
    free_port,
    log,
    machine,
    pg_stats,
    pg_url,
    recreate_database,
    run_wrk,
)

TICKETS = int(os.environ.get("BENCH_WS_TICKETS", "100000"))
REQUESTS = int(os.environ.get("BENCH_WS_REQUESTS", "200"))
SECONDS = float(os.environ.get("BENCH_WS_SECONDS", "8"))
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REUSE = os.environ.get("BENCH_WS_REUSE", "") == "1"
ONLY = [name for name in os.environ.get("BENCH_WS_PAGES", "").split(",") if name]
CONCURRENT = os.environ.get("BENCH_WS_CONCURRENT", "1") != "0"
PROFILE = os.environ.get("BENCH_WS_PROFILE", "") == "1"
# One database per size, so the 100k and 1M data sets can both be kept for reuse.
DBNAME = "helpline_bench_workspace" + ("" if TICKETS == 100_000 else f"_{TICKETS}")
QUEUES = ["mine", "unassigned", "breaching", "pending", "recent", "all"]
GET_LUA = HERE / "wrk" / "get.lua"


def load_data(count: int) -> dict:
    """Teams, agents, requesters and `count` tickets, inserted in bulk (history is not the point)."""
    from django.db import connection
    from django.utils import timezone

    from helpline.accounts.models import Organization, Team, User
    from helpline.tickets.models import Category, Message, Ticket

    rng = random.Random(7)
    org = Organization.objects.create(name="Bench Corp", domain="bench.example")
    teams = [
        Team.objects.create(name=f"Team {tier}", slug=f"t-{tier.lower()}", tier=tier)
        for tier in ("L1", "L2", "L3")
    ]
    agent = User.objects.create_user(
        email="agent@bench.example",
        password="bench-agent",
        role="agent",
        tier="L1",
        full_name="Bench Agent",
    )
    agents = [agent] + [
        User.objects.create_user(
            email=f"agent{i}@bench.example", role="agent", full_name=f"Agent {i}"
        )
        for i in range(8)
    ]
    for i, member in enumerate(agents):
        teams[i % 3].members.add(member)
    teams[0].members.add(agent)
    requesters = User.objects.bulk_create(
        [
            User(email=f"user{i}@bench.example", full_name=f"User {i}", organization=org)
            for i in range(2000)
        ]
    )
    categories = [Category.objects.create(name=f"Category {i}", slug=f"c{i}") for i in range(20)]
    now = timezone.now()
    statuses = (
        ["new"] * 5
        + ["open"] * 10
        + ["pending"] * 5
        + ["on_hold"] * 2
        + ["solved"] * 18
        + ["closed"] * 60
    )
    batch: list[Ticket] = []
    started = time.perf_counter()
    for n in range(count):
        created = now - dt.timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
        team = rng.choice(teams)
        batch.append(
            Ticket(
                number=10_000 + n,
                subject=f"Printer {n % 997} on floor {n % 9} jams",
                status=rng.choice(statuses),
                priority=rng.choice(["P1", "P2", "P3", "P3", "P4"]),
                channel="email",
                requester=rng.choice(requesters),
                organization=org,
                team=team,
                assignee=rng.choice([None, None, *agents]),
                category=rng.choice(categories),
                created_at=created,
                updated_at=created + dt.timedelta(hours=rng.randrange(0, 48)),
                due_at=created + dt.timedelta(hours=rng.randrange(1, 120)),
                message_count=1,
            )
        )
        if len(batch) == 5000:
            Ticket.objects.bulk_create(batch)
            batch = []
    Ticket.objects.bulk_create(batch)
    insert_seconds = time.perf_counter() - started
    big = Ticket.objects.create(
        number=9_999,
        subject="A long conversation",
        requester=requesters[0],
        team=teams[0],
        assignee=agent,
        organization=org,
        message_count=50,
    )
    Message.objects.bulk_create(
        [
            Message(
                ticket=big,
                author=agent if i % 2 else requesters[0],
                kind="note" if i % 7 == 0 else "reply",
                body_text=f"Message {i}: steps tried so far.",
                body_html=f"<p>Message {i}: steps tried so far.</p>",
                created_at=now - dt.timedelta(minutes=50 - i),
            )
            for i in range(50)
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"tickets": count, "insert_s": round(insert_seconds, 1), "big_ticket": big.number}


def pages(big_ticket: int) -> dict[str, str]:
    urls = {f"queue:{q}": f"/tickets/?queue={q}" for q in QUEUES}
    urls["live list refresh"] = "/tickets/list/?queue=all"
    urls["queue counts"] = "/tickets/counts/?queue=all"
    urls["ticket with 50 messages"] = f"/tickets/{big_ticket}/"
    if ONLY:
        urls = {name: url for name, url in urls.items() if name in ONLY}
    return urls


def existing_data(count: int) -> dict | None:
    """The data set of an earlier run, when it holds `count` tickets plus the big one."""
    from helpline.accounts.models import User
    from helpline.tickets.models import Ticket

    big = Ticket.objects.filter(number=9_999, message_count=50).first()
    if big is None or not User.objects.filter(email="agent@bench.example").exists():
        return None
    if Ticket.objects.count() != count + 1:
        return None
    return {"tickets": count, "insert_s": None, "big_ticket": big.number, "reused": True}


def database_exists() -> bool:
    with psycopg.connect(pg_url(PG, "postgres"), autocommit=True) as conn:
        row = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DBNAME]).fetchone()
    return row is not None


def _timed(into: list[float]):
    """A database execute wrapper that notes each statement's time in ms."""

    def wrapper(execute, sql, params, many, context):
        started = time.perf_counter_ns()
        try:
            return execute(sql, params, many, context)
        finally:
            into.append((time.perf_counter_ns() - started) / 1e6)

    return wrapper


def sequential(urls: dict[str, str]) -> dict:
    import cProfile
    import pstats

    from django.db import connection, reset_queries
    from django.test import Client

    client = Client()
    assert client.login(username="agent@bench.example", password="bench-agent")
    results = {}
    for name, url in urls.items():
        for _ in range(5):
            assert client.get(url).status_code == 200, url
        timings = []
        profiler = cProfile.Profile() if PROFILE else None
        cpu_started = time.process_time()
        queries: list[float] = []
        with connection.execute_wrapper(_timed(queries)):
            client.get(url)
        if profiler:
            profiler.enable()
        for _ in range(REQUESTS):
            started = time.perf_counter_ns()
            response = client.get(url)
            timings.append((time.perf_counter_ns() - started) / 1e6)
        if profiler:
            profiler.disable()
            log(f"--- profile of {name} ({REQUESTS} requests)")
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(45)
        cpu_ms = (time.process_time() - cpu_started) * 1000 / (REQUESTS + 1)
        assert response.status_code == 200
        timings.sort()
        results[name] = {
            "p50_ms": round(statistics.median(timings), 1),
            "p95_ms": round(timings[int(0.95 * len(timings))], 1),
            "cpu_ms": round(cpu_ms, 1),
            "queries": len(queries),
            "sql_ms": round(sum(queries), 1),
        }
        reset_queries()
    return results


def concurrent(urls: dict[str, str], env: dict[str, str]) -> dict:
    from django.test import Client

    client = Client()
    client.login(username="agent@bench.example", password="bench-agent")
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    port = free_port()
    server = Server(
        "uvicorn",
        [str(VENV_BIN / "helpline"), "serve", "--port", str(port), "--workers", "2"],
        {**env, "PORT": str(port)},
        port,
    )
    server.start(Path(os.environ.get("TMPDIR", "/tmp")), "bench-workspace")
    results = {}
    pg = psycopg.connect(pg_url(PG, "postgres"), autocommit=True)
    try:
        for name, url in urls.items():
            server_cpu = cpu_seconds(server.pids())
            workers = {pid: cpu_seconds([pid]) for pid in server.workers()}
            db_cpu = cpu_seconds(pg_stats(pg, DBNAME)["backends"])
            figures = run_wrk(
                f"http://127.0.0.1:{port}{url}",
                GET_LUA,
                connections=8,
                seconds=SECONDS,
                env={"BENCH_COOKIE": cookie},
            )
            latency = figures["latency_us"]
            server_cpu = cpu_seconds(server.pids()) - server_cpu
            # Pooled connections stay open, so their backends' CPU counters span the run.
            db_cpu = cpu_seconds(pg_stats(pg, DBNAME)["backends"]) - db_cpu
            done = max(figures["requests"], 1)
            results[name] = {
                "requests_per_s": round(figures["requests"] / (figures["duration_us"] / 1e6), 1),
                "p50_ms": round(latency["p50"] / 1000, 1),
                "p95_ms": round(latency["p95"] / 1000, 1),
                "errors": sum(figures["errors"].values()),
                "client_cpu_s": figures["client_cpu_s"],
                "server_cpu_ms_per_request": round(server_cpu * 1000 / done, 1),
                "postgres_cpu_ms_per_request": round(db_cpu * 1000 / done, 1),
                # wrk's 8 keep-alive connections are accepted by whichever worker wakes
                # first: a lopsided split here means one worker (one core) did the work.
                "worker_cpu_s": sorted(
                    (round(cpu_seconds([pid]) - spent, 2) for pid, spent in workers.items()),
                    reverse=True,
                ),
            }
    finally:
        pg.close()
        server.stop()
    return results


def main() -> None:
    env = {
        **os.environ,
        "DATABASE_URL": pg_url(PG, DBNAME),
        "HELPLINE_DEV": "true",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "helpline.config.settings",
        "TASK_BACKEND": "dummy",
        "HELPLINE_PROCESS": "bench",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    }
    os.environ.update(env)
    reuse = REUSE and database_exists()
    if not reuse:
        log(f"recreating {DBNAME}")
        recreate_database(PG, DBNAME)
    log(f"migrating {DBNAME}")
    subprocess.run([str(VENV_BIN / "helpline"), "migrate", "-v0"], check=True, env=env)  # noqa: S603
    import django

    django.setup()
    data = existing_data(TICKETS) if reuse else None
    if data is None:
        if reuse:
            log(f"{DBNAME} does not hold the expected data set: recreating it")
            from django.db import connections

            connections.close_all()
            recreate_database(PG, DBNAME)
            subprocess.run([str(VENV_BIN / "helpline"), "migrate", "-v0"], check=True, env=env)  # noqa: S603
        log(f"loading {TICKETS} tickets")
        data = load_data(TICKETS)
    urls = pages(data["big_ticket"])
    log("sequential server time")
    serial = sequential(urls)
    parallel = {}
    if CONCURRENT:
        log("concurrency 8 through uvicorn")
        parallel = concurrent(urls, env)
    print(
        json.dumps(
            {
                "benchmark": "workspace",
                "machine": machine(),
                "data": data,
                "sequential_in_process": serial,
                "concurrency_8_uvicorn": parallel,
                "targets": {"queue_p95_ms": 60, "ticket_50_messages_p95_ms": 80},
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
