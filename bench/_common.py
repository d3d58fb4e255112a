"""Helpers shared by the benchmarks: the machine, processes, PostgreSQL and wrk.

Benchmarks measure from outside the server: CPU seconds and peak RSS from /proc, the
database's own counters from pg_stat_database, and latency from wrk, a C load client
that costs little CPU next to the server on the same cores.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def log(message: str) -> None:
    """Progress goes to stderr; stdout carries only the JSON result."""
    print(message, file=sys.stderr, flush=True)


# --- the machine -------------------------------------------------------------------


def machine() -> dict:
    """What the figures were measured on."""
    cpu_model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu_model = line.split(":", 1)[1].strip()
            break
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    load1, load5, load15 = os.getloadavg()
    return {
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "cpu_model": cpu_model,
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "kernel": platform.release(),
        "loadavg_at_start": [round(load1, 2), round(load5, 2), round(load15, 2)],
    }


# --- processes ---------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            kids += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return kids


def process_tree(pid: int) -> list[int]:
    """The process and all its descendants (server master + workers)."""
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        if Path(f"/proc/{current}").exists():
            tree.append(current)
            todo += _children(current)
    return tree


def _alive(pid: int) -> bool:
    """True while the process exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of the given processes (all their threads)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLOCK_TICKS


def _status_kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def peak_rss_mb(pid: int) -> float:
    """VmHWM: the process's peak resident set size."""
    return round(_status_kb(pid, "VmHWM") / 1024, 1)


def cmdline(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """An ASGI server started as a subprocess, with its process tree measured from /proc."""

    name: str
    argv: list[str]
    env: dict[str, str]
    port: int
    process: subprocess.Popen | None = None
    log_path: Path | None = None
    extra: dict = field(default_factory=dict)

    def start(self, log_dir: Path, label: str, timeout: float = 60.0) -> None:
        self.log_path = log_dir / f"{label}.log"
        handle = self.log_path.open("w")
        self.process = subprocess.Popen(  # noqa: S603 - our own fixed command
            self.argv,
            env=self.env,
            cwd=ROOT,
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        url = f"http://127.0.0.1:{self.port}/healthz"
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {self.log_path}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not answer {url} within {timeout:.0f} s")

    def pids(self) -> list[int]:
        return process_tree(self.process.pid) if self.process else []

    def workers(self) -> list[int]:
        """The processes that serve requests: the leaves, or the process itself."""
        tree = self.pids()
        leaves = [pid for pid in tree if not _children(pid)]
        workers = [pid for pid in leaves if "resource_tracker" not in cmdline(pid)]
        return workers or tree[:1]

    def stop(self) -> None:
        """Stop the server gracefully, then kill whatever of its session is left."""
        if self.process is None:
            return
        tree = self.pids()
        if self.process.poll() is None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=10)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(_alive(pid) for pid in tree):
            time.sleep(0.1)
        # The server runs in its own session: its process group holds only its processes.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=5)


# --- PostgreSQL --------------------------------------------------------------------


def pg_url(base: str, dbname: str) -> str:
    return base.rstrip("/") + "/" + dbname


def recreate_database(base_url: str, dbname: str) -> None:
    """Drop and create the benchmark's own database (never anyone else's)."""
    if not dbname.startswith("helpline_bench"):
        raise ValueError("the benchmark only drops databases named helpline_bench*")
    with psycopg.connect(pg_url(base_url, "postgres"), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(dbname))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))


def pg_stats(conn: psycopg.Connection, dbname: str) -> dict:
    """Counters of one database, plus the CPU of its server backends (from /proc)."""
    conn.execute("SELECT pg_stat_clear_snapshot()")
    row = conn.execute(
        "SELECT xact_commit, xact_rollback, tup_inserted, tup_updated, tup_fetched "
        "FROM pg_stat_database WHERE datname = %s",
        [dbname],
    ).fetchone()
    backends = [
        pid
        for (pid,) in conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [dbname],
        ).fetchall()
    ]
    keys = ("xact_commit", "xact_rollback", "tup_inserted", "tup_updated", "tup_fetched")
    return {**dict(zip(keys, row, strict=True)), "backends": backends}


# --- wrk ---------------------------------------------------------------------------


def ensure_wrk() -> str:
    """wrk from Debian; installed on first use, like the tests install their servers."""
    found = shutil.which("wrk")
    if found:
        return found
    log("wrk is missing: installing it with apt-get")
    subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, capture_output=True)  # noqa: S607
    found = shutil.which("wrk")
    if not found:
        subprocess.run(["apt-get", "update", "-qq"], check=False, capture_output=True)  # noqa: S607
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, capture_output=True)  # noqa: S607
        found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk is not installed and could not be installed")
    return found


def run_wrk(
    url: str, script: Path, *, connections: int, seconds: float, env: dict[str, str]
) -> dict:
    """Run wrk; returns its JSON figures plus the CPU seconds wrk itself used."""
    threads = 1 if connections < 8 else 2
    argv = [
        ensure_wrk(),
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        "--timeout",
        "10s",
        "-s",
        str(script),
        url,
    ]
    process = subprocess.Popen(  # noqa: S603
        argv, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    stdout_chunks = []
    assert process.stdout is not None
    for line in process.stdout:
        stdout_chunks.append(line)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    output = b"".join(stdout_chunks).decode(errors="replace")
    if process.returncode != 0:
        raise RuntimeError(f"wrk failed ({process.returncode}): {process.stderr.read().decode()}")
    for line in output.splitlines():
        if line.startswith("WRK_JSON "):
            result = json.loads(line.removeprefix("WRK_JSON "))
            result["client_cpu_s"] = round(usage.ru_utime + usage.ru_stime, 3)
            return result
    raise RuntimeError(f"wrk printed no WRK_JSON line:\n{output}")
