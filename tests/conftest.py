"""Shared fixtures: the personas every permission test uses, and service checks.

Under CI=true a missing PostgreSQL or Redis fails the run instead of skipping tests.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from django.test import Client

from tests.factories import Personas, make_personas


def _is_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def pytest_sessionstart(session: pytest.Session) -> None:
    database_url = os.environ.get("DATABASE_URL", "")
    if database_url.startswith("postgres"):
        import psycopg

        try:
            psycopg.connect(
                database_url.replace("postgres://", "postgresql://"), connect_timeout=3
            ).close()
        except Exception as exc:  # pragma: no cover - depends on the machine
            pytest.exit(f"PostgreSQL at {database_url} is not reachable: {exc}", returncode=1)


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("REDIS_URL", "")
    if not url:
        if _is_ci():
            pytest.fail("REDIS_URL is not set; under CI the Redis tests must run")
        pytest.skip("REDIS_URL is not set")
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except Exception as exc:
        if _is_ci():
            pytest.fail(f"Redis at {url} is not reachable: {exc}")
        pytest.skip(f"Redis at {url} is not reachable")
    return url


@pytest.fixture(scope="session")
def imap_server():
    """A real dovecot IMAP server on a loopback port for the whole session."""
    from tests.servers import dovecot

    server = dovecot.start()
    yield server
    dovecot.stop(server)


@pytest.fixture
def personas(db) -> Personas:
    return make_personas()


@pytest.fixture
def api_client() -> Client:
    return Client()


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Each test starts with an empty cache: cached configuration (custom field
    definitions, SLA policies, mailbox addresses) must not outlive the rolled-back
    transaction of the test that created it."""
    from django.core.cache import caches

    for cache in caches.all():
        cache.clear()
    yield


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
