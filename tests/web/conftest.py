"""Web tests start with an empty cache: queue counts are cached per user, and user ids
repeat across tests on SQLite (each test's rows are rolled back)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()
