"""`helpline serve --workers N`: one socket per worker on the same port, clean stop."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        HELPLINE_DEV="true",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        PYTHONPATH=str(ROOT / "src"),
    )
    env.pop("DJANGO_SETTINGS_MODULE", None)  # the server's own settings, not the tests'
    return env


def _serve(tmp_path: Path, port: int, workers: int) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "helpline.cli",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _wait_healthy(port: int, deadline_s: float = 60) -> None:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("the server did not answer /healthz")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _listening_inodes(pid: int, port: int) -> set[str]:
    """Socket inodes of this process that listen on the port (from /proc/net/tcp)."""
    listening = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        parts = line.split()
        if parts[1].endswith(f":{port:04X}") and parts[3] == "0A":
            listening.add(parts[9])
    own = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            own.add(target[8:-1])
    return listening & own


def test_each_worker_listens_on_its_own_socket_and_sigterm_stops_them_all(tmp_path):
    subprocess.run(
        [sys.executable, "-m", "helpline.cli", "migrate", "-v0"], env=_env(tmp_path), check=True
    )
    port = _free_port()
    server = _serve(tmp_path, port, workers=2)
    try:
        _wait_healthy(port)
        workers = [pid for pid in _children(server.pid) if _listening_inodes(pid, port)]
        # two processes, two distinct listening sockets: the kernel spreads connections
        assert len(workers) == 2
        sockets = [_listening_inodes(pid, port) for pid in workers]
        assert sockets[0].isdisjoint(sockets[1])
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert server.returncode == 0, output
    assert "Traceback" not in output
    assert all(not Path(f"/proc/{pid}").exists() for pid in workers)


def test_a_port_in_use_is_refused_with_a_message(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        server = _serve(tmp_path, port, workers=2)
        output, _ = server.communicate(timeout=60)
    assert server.returncode != 0
    assert f"Cannot listen on 127.0.0.1:{port}" in output
