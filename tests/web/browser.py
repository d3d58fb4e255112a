"""The real ASGI server and Chromium for browser tests (live_server serves no WebSockets).

The server runs as a subprocess (`helpline serve`) on a SQLite file database that this
module migrates and seeds; the tests drive it only through the browser.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
HELPLINE = ROOT / ".venv" / "bin" / "helpline"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
PASSWORD = "correct-horse-battery"


def ensure_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    if shutil.which("apt-get") is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(
                "Chromium is missing and apt-get is not available: under CI that is a failure"
            )
        pytest.skip("Chromium is missing and apt-get is not available")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)  # noqa: S607
    subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env)  # noqa: S607


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def compile_messages(env: dict[str, str]) -> None:
    locale = ROOT / "src" / "helpline" / "locale"
    stale = [
        po
        for po in locale.glob("*/LC_MESSAGES/django.po")
        if not po.with_suffix(".mo").exists()
        or po.with_suffix(".mo").stat().st_mtime < po.stat().st_mtime
    ]
    if stale:
        subprocess.run(  # noqa: S603
            [str(HELPLINE), "compilemessages", "-v0"], cwd=locale.parent, env=env, check=True
        )


def server_env(workdir: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "TEST_DATABASE_NAME", "REDIS_URL")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="helpline.config.settings_test",
        DATABASE_URL=f"sqlite:///{workdir / 'browser.sqlite3'}",
        HELPLINE_VAR_DIR=str(workdir),
        HELPLINE_TESTING="true",
        HELPLINE_DEV="true",
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    )
    return env


def run_server(workdir: Path) -> Iterator[str]:
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        pytest.skip("browser tests run on the SQLite profile only")
    ensure_chromium()
    env = server_env(workdir)
    compile_messages(env)
    subprocess.run([str(HELPLINE), "migrate", "-v0"], env=env, check=True, cwd=ROOT)  # noqa: S603
    subprocess.run(  # noqa: S603
        [sys.executable, "-m", "tests.web.seed_browser"], env=env, check=True, cwd=ROOT
    )
    port = free_port()
    log = (workdir / "server.log").open("w")
    process = subprocess.Popen(  # noqa: S603
        [str(HELPLINE), "serve", "--port", str(port)], env=env, cwd=ROOT, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code < 500:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError((workdir / "server.log").read_text())
            time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


def english_phrases() -> list[str]:
    """Phrases of our own UI (two words or more, no placeholders) from the Russian
    catalogue: none of them may be left on a page shown in Russian."""
    po = (ROOT / "src/helpline/locale/ru/LC_MESSAGES/django.po").read_text()
    phrases = []
    for match in re.finditer(r'\nmsgid "(.+)"\nmsgstr "(.*)"', po):
        msgid, msgstr = match.group(1), match.group(2)
        if "%" in msgid or "{" in msgid or len(msgid.split()) < 2 or msgid == msgstr:
            continue
        phrases.append(msgid.replace('\\"', '"'))
    return phrases


def chromium_browser() -> Iterator:
    """Headless Chromium for a test module's `browser` fixture."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()
