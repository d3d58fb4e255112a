"""Intake benchmark: tickets created through the REST API on PostgreSQL.

Creates its own database (helpline_bench, dropped and recreated each run), migrates
it, makes an agent with an API token, then for each ASGI server (granian, uvicorn):
starts the server as a production-like subprocess (SECRET_KEY set, DEBUG off,
persistent database connections) and drives it with wrk at concurrency 1, 8 and 32,
first on POST /api/v1/tickets, then on a bare endpoint of the same server that does
a single INSERT (the stack's limit). Prints one JSON document on stdout.

Measured from outside the server: tickets/s and latency percentiles (wrk), rows
really written (count(*)), server CPU per ticket (/proc of the server processes),
PostgreSQL backend CPU, the load client's own CPU, the CPU that other processes on
the machine used meanwhile (noise), peak RSS per worker (VmHWM), and transactions and
inserted rows per ticket (pg_stat_database). SQL statements per ticket are counted
in-process on the same database with Django's query log, as the test suite does.

Environment knobs: BENCH_PG_URL, BENCH_DB, BENCH_SECONDS (8), BENCH_WARMUP (2),
BENCH_CONCURRENCY (1,8,32), BENCH_SERVERS (granian,uvicorn), BENCH_WORKERS (nproc),
BENCH_ENDPOINTS (tickets,bare_insert), BENCH_BACKPRESSURE (granian; unset), BENCH_SRC (the source tree to serve; default src/ of this work tree).
The servers inherit WEB_THREADS (threads per worker for HTTP; 0 = Django's own handler).
Run: `make bench`, or `.venv/bin/python bench/intake.py`.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (  # noqa: E402
    ROOT,
    VENV_BIN,
    Server,
    cmdline,
    cpu_seconds,
    ensure_wrk,
    free_port,
    log,
    machine,
    peak_rss_mb,
    pg_stats,
    pg_url,
    recreate_database,
    run_wrk,
)

PG_BASE = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_DB", "helpline_bench")
SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
WARMUP = float(os.environ.get("BENCH_WARMUP", "2"))
CONCURRENCY = [int(c) for c in os.environ.get("BENCH_CONCURRENCY", "1,8,32").split(",")]
SERVERS = os.environ.get("BENCH_SERVERS", "granian,uvicorn").split(",")
ONLY = os.environ.get("BENCH_ENDPOINTS", "tickets,bare_insert").split(",")
# granian only: at most this many requests in progress per worker (the rest wait).
BACKPRESSURE = os.environ.get("BENCH_BACKPRESSURE", "")
WORKERS = int(os.environ.get("BENCH_WORKERS", str(os.cpu_count() or 2)))
# The source tree the servers run; BENCH_SRC may point at a clean export of a commit.
SRC = Path(os.environ.get("BENCH_SRC", str(ROOT / "src"))).resolve()
LOG_DIR = ROOT / "var" / "bench"
WRK_SCRIPT = Path(__file__).resolve().parent / "wrk" / "post_json.lua"
PASSWORD = "bench-password-not-secret"  # noqa: S105 - a throwaway database

ENDPOINTS = {
    "tickets": {"path": "/api/v1/tickets", "table": "tickets_ticket"},
    "bare_insert": {"path": "/bench/insert", "table": "bench_probe"},
}

TARGETS = {
    "tickets_per_s_at_c32": 400,
    "share_of_bare_at_c32": 0.5,
    "p99_ms_at_c8": 100,
    "sql_statements_per_ticket": 10,
    "peak_rss_mb_per_worker": 150,
}

REFERENCE = {
    "name": "django-helpdesk 2.6.1, same kind of 2-core machine, PostgreSQL (from the issue)",
    "tickets_per_s_at_c32": 79,
    "p99_ms_at_c32": 589,
    "server_cpu_ms_per_ticket": 16,
    "sql_statements_per_ticket": 21,
}


# --- preparing the database (in-process Django) ------------------------------------


def prepare(secret_key: str) -> dict:
    """Migrate, create the bench table, an agent, a requester and a token; count SQL."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "helpline.config.settings"
    os.environ["DATABASE_URL"] = pg_url(PG_BASE, DB_NAME)
    os.environ["SECRET_KEY"] = secret_key
    os.environ["HELPLINE_BENCH_ENDPOINTS"] = "true"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    sys.path.insert(0, str(SRC))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    from helpline.accounts.choices import Role, Tier
    from helpline.accounts.services import create_user, issue_token

    call_command("migrate", verbosity=0, interactive=False)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_probe (id bigserial PRIMARY KEY, body text NOT NULL, "
            "created_at timestamptz NOT NULL DEFAULT now())"
        )
    agent = create_user(
        actor=None,
        email="bench-agent@helpline.test",
        password=PASSWORD,
        role=Role.AGENT,
        tier=Tier.L1,
        full_name="Bench Agent",
    )
    requester = create_user(
        actor=None, email="bench-requester@example.org", full_name="Bench Requester"
    )
    _, raw_token = issue_token(email=agent.email, password=PASSWORD, name="bench")
    sql = count_sql_per_ticket(raw_token, requester.pk)
    connections.close_all()
    return {"token": raw_token, "requester_id": requester.pk, "sql": sql}


def count_sql_per_ticket(token: str, requester_id: int) -> dict:
    """Statements of one API ticket creation, as Django's query log sees them.

    The count the test suite asserts, but outside a test transaction, so the work
    done after commit (event subscribers, task enqueueing) is included. Django logs
    BEGIN and COMMIT of the service's transaction too; they are counted. One ticket
    is created first so that per-process caches are warm, as in a running server.
    """
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    body = {"subject": "warm-up", "body": "x", "requester_id": requester_id}
    client.post("/api/v1/tickets", body, content_type="application/json", **headers)
    body = {"subject": "Printer jams", "body": "tray 2", "requester_id": requester_id}
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/v1/tickets", body, content_type="application/json", **headers)
    if response.status_code != 201:
        raise RuntimeError(f"creating a ticket failed: {response.status_code} {response.content!r}")
    statements = [q["sql"] for q in queries.captured_queries]
    return {
        "statements": len(statements),
        "sql": [" ".join(s.split())[:120] for s in statements],
    }


# --- servers -----------------------------------------------------------------------


def server_env(secret_key: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("HELPLINE_DEV", "DEBUG", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        DATABASE_URL=pg_url(PG_BASE, DB_NAME),
        SECRET_KEY=secret_key,
        HELPLINE_BENCH_ENDPOINTS="true",
        LOG_LEVEL=env.get("LOG_LEVEL", "WARNING"),
        PYTHONPATH=str(SRC),
    )
    return env


def make_server(name: str, secret_key: str) -> Server:
    port = free_port()
    if name == "uvicorn":
        argv = [str(VENV_BIN / "helpline"), "serve", "--port", str(port), "--workers", str(WORKERS)]
    elif name == "granian":
        argv = [
            str(VENV_BIN / "granian"),
            "--interface",
            "asginl",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(WORKERS),
            "--no-access-log",
            *(["--backpressure", BACKPRESSURE] if BACKPRESSURE else []),
            "helpline.config.asgi:application",
        ]
    else:
        raise ValueError(f"unknown server {name!r}")
    return Server(name=name, argv=argv, env=server_env(secret_key), port=port)


# --- measuring ---------------------------------------------------------------------


def machine_busy_seconds() -> float:
    """CPU seconds all processes of the machine used (from /proc/stat)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def count_rows(pg: psycopg.Connection, table: str) -> int:
    return pg.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 - fixed names


def one_run(
    server: Server, pg: psycopg.Connection, endpoint: str, concurrency: int, env: dict
) -> dict:
    table = ENDPOINTS[endpoint]["table"]
    url = f"http://127.0.0.1:{server.port}{ENDPOINTS[endpoint]['path']}"
    backends = pg_stats(pg, DB_NAME)["backends"]
    rows_before = count_rows(pg, table)
    server_cpu = cpu_seconds(server.pids())
    pg_cpu = cpu_seconds(backends)
    busy = machine_busy_seconds()
    started = time.monotonic()
    result = run_wrk(url, WRK_SCRIPT, connections=concurrency, seconds=SECONDS, env=env)
    wall = time.monotonic() - started
    busy = machine_busy_seconds() - busy
    server_cpu = cpu_seconds(server.pids()) - server_cpu
    backends = sorted(set(backends) | set(pg_stats(pg, DB_NAME)["backends"]))
    pg_cpu = cpu_seconds(backends) - pg_cpu
    created = count_rows(pg, table) - rows_before
    seconds = result["duration_us"] / 1e6
    failed = sum(result["errors"].values())
    lat = result["latency_us"]
    client_cpu = result["client_cpu_s"]
    ncpu = os.cpu_count() or 1
    return {
        "endpoint": endpoint,
        "concurrency": concurrency,
        "seconds": round(seconds, 2),
        "requests": result["requests"],
        "rows_written": created,
        "errors": result["errors"],
        "failed_requests": failed,
        "per_s": round((result["requests"] - failed) / seconds, 1),
        "latency_ms": {k: round(lat[k] / 1000, 1) for k in ("p50", "p90", "p95", "p99", "max")},
        "server_cpu_ms_per_request": round(1000 * server_cpu / max(created, 1), 2),
        "postgres_backend_cpu_ms_per_request": round(1000 * pg_cpu / max(created, 1), 2),
        "server_cpu_share_of_machine": round(server_cpu / (wall * ncpu), 3),
        "client_cpu_s": client_cpu,
        "client_cpu_share_of_machine": round(client_cpu / (wall * ncpu), 3),
        "other_processes_cpu_share_of_machine": round(
            max(0.0, busy - server_cpu - pg_cpu - client_cpu) / (wall * ncpu), 3
        ),
    }


def wait_for_backends_to_leave(pg: psycopg.Connection) -> None:
    """After a server stops, its backends exit and flush their statistics."""
    for _ in range(50):
        if not pg_stats(pg, DB_NAME)["backends"]:
            break
        time.sleep(0.1)
    time.sleep(0.3)


def _log_run(run: dict) -> None:
    if run["failed_requests"] > 0.01 * max(run["requests"], 1):
        log(
            f"  WARNING: {run['failed_requests']} of {run['requests']} requests failed (server log)"
        )
    log(
        f"  {run['endpoint']:11} c={run['concurrency']:<3} {run['per_s']:7.1f}/s  "
        f"p50 {run['latency_ms']['p50']:6.1f} ms  p99 {run['latency_ms']['p99']:6.1f} ms  "
        f"server {run['server_cpu_ms_per_request']:.2f} ms CPU/req  "
        f"pg {run['postgres_backend_cpu_ms_per_request']:.2f} ms  "
        f"client {run['client_cpu_share_of_machine']:.1%}  "
        f"others {run['other_processes_cpu_share_of_machine']:.1%}"
    )


def bench_endpoint(
    name: str, endpoint: str, secret_key: str, env: dict, pg: psycopg.Connection
) -> tuple[list[dict], dict]:
    """Start a fresh server, warm it up, run every concurrency; returns runs and peak RSS."""
    spec = ENDPOINTS[endpoint]
    server = make_server(name, secret_key)
    log(f"{name}: {WORKERS} workers, {endpoint} (log: var/bench/{name}-{endpoint}.log)")
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    server.start(LOG_DIR, f"{name}-{endpoint}")
    runs = []
    try:
        run_env = {**env, "BENCH_PATH": spec["path"]}
        warm = f"http://127.0.0.1:{server.port}{spec['path']}"
        run_wrk(warm, WRK_SCRIPT, connections=8, seconds=WARMUP, env=run_env)
        for concurrency in CONCURRENCY:
            runs.append(one_run(server, pg, endpoint, concurrency, run_env))
            _log_run(runs[-1])
        rss = {str(pid): peak_rss_mb(pid) for pid in server.workers()}
        rss["worker_cmdline"] = cmdline(server.workers()[0])[:160]
    finally:
        server.stop()
    return runs, rss


def bench_server(name: str, secret_key: str, prepared: dict, pg: psycopg.Connection) -> dict:
    env = {"BENCH_TOKEN": prepared["token"], "BENCH_REQUESTER_ID": str(prepared["requester_id"])}
    report: dict = {"server": name, "workers": WORKERS, "runs": []}
    for endpoint, spec in ENDPOINTS.items():
        if endpoint not in ONLY:
            continue
        wait_for_backends_to_leave(pg)
        before = pg_stats(pg, DB_NAME)
        rows_before = count_rows(pg, spec["table"])
        runs, rss = bench_endpoint(name, endpoint, secret_key, env, pg)
        report["runs"] += runs
        report[f"{endpoint}_peak_rss_mb_per_worker"] = rss
        # Statistics are flushed when the server's backends exit.
        wait_for_backends_to_leave(pg)
        after = pg_stats(pg, DB_NAME)
        rows = count_rows(pg, spec["table"]) - rows_before
        report[f"{endpoint}_pg_counters_per_row"] = {
            key: round((after[key] - before[key]) / max(rows, 1), 2)
            for key in ("xact_commit", "xact_rollback", "tup_inserted", "tup_updated")
        }
    return report


def _run(report: dict, endpoint: str, concurrency: int) -> dict | None:
    for run in report["runs"]:
        if run["endpoint"] == endpoint and run["concurrency"] == concurrency:
            return run
    return None


def verdict(servers: list[dict], sql: dict) -> dict:
    """The targets of the issue, checked on the faster server at concurrency 32."""

    def rate(report: dict) -> float:
        run = _run(report, "tickets", 32) or report["runs"][-1]
        return run["per_s"]

    best = max(servers, key=rate)
    tickets32 = _run(best, "tickets", 32)
    bare32 = _run(best, "bare_insert", 32)
    tickets8 = _run(best, "tickets", 8)
    rss = best.get("tickets_peak_rss_mb_per_worker", {})
    peak = max((v for v in rss.values() if isinstance(v, float)), default=0.0)
    figures = {
        "tickets_per_s_at_c32": tickets32["per_s"] if tickets32 else None,
        "share_of_bare_at_c32": (
            round(tickets32["per_s"] / bare32["per_s"], 3) if tickets32 and bare32 else None
        ),
        "p99_ms_at_c8": tickets8["latency_ms"]["p99"] if tickets8 else None,
        "sql_statements_per_ticket": sql["statements"],
        "peak_rss_mb_per_worker": peak,
    }
    met = {}
    for key, target in TARGETS.items():
        value = figures[key]
        if value is None:
            met[key] = None
        elif key in ("tickets_per_s_at_c32", "share_of_bare_at_c32"):
            met[key] = value >= target
        else:
            met[key] = value <= target
    return {"faster_server": best["server"], "figures": figures, "targets": TARGETS, "met": met}


def main() -> None:
    ensure_wrk()
    secret_key = secrets.token_urlsafe(40)
    result: dict = {"benchmark": "intake", "machine": machine()}
    log(f"intake: recreating database {DB_NAME}")
    recreate_database(PG_BASE, DB_NAME)
    prepared = prepare(secret_key)
    log(f"intake: one ticket = {prepared['sql']['statements']} SQL statements (Django query log)")
    servers = []
    with psycopg.connect(pg_url(PG_BASE, DB_NAME), autocommit=True) as pg:
        for name in SERVERS:
            servers.append(bench_server(name, secret_key, prepared, pg))
    result.update(
        config={
            "seconds_per_run": SECONDS,
            "warmup_seconds": WARMUP,
            "concurrency": CONCURRENCY,
            "workers": WORKERS,
            # threads per worker that run HTTP requests (helpline.config.handler; 0 = Django's)
            "web_threads": os.environ.get("WEB_THREADS", "(default 4)"),
            "db_pool": {
                key: os.environ.get(key, "(default)")
                for key in ("DB_POOL", "DB_POOL_MIN_SIZE", "DB_POOL_MAX_SIZE", "DB_CONN_MAX_AGE")
            },
            "load_client": "wrk (bench/wrk/post_json.lua), 1 thread below c=8, else 2",
            "payload": "agent token; subject, body, impact, urgency, requester_id",
        },
        method={
            "per_s": "successful responses per second, from wrk; rows_written is count(*)",
            "latency_ms": "wrk's percentiles (closed loop: each connection waits for its answer)",
            "server_cpu": "utime+stime of the server's process tree (/proc/PID/stat) per row",
            "postgres_backend_cpu": "the same for the backends connected to the bench database",
            "cpu_share_of_machine": "CPU seconds / (wall seconds x nproc)",
            "other_processes": "machine busy time (/proc/stat) minus server, backends and wrk",
            "peak_rss": "VmHWM of each worker process after all runs of the tickets endpoint",
            "sql_per_ticket": "Django's query log for one API call, in-process, same database,"
            " after-commit work included (BEGIN/COMMIT are logged by Django and counted)",
            "pg_counters_per_row": "pg_stat_database deltas over a server's whole life / rows",
        },
        sql_per_ticket=prepared["sql"],
        servers=servers,
        reference=REFERENCE,
        verdict=verdict(servers, prepared["sql"]),
    )
    result["machine"]["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
