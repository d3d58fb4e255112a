"""Fixtures for the API tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from helpline.tickets.custom_fields import forget_definitions


@pytest.fixture(autouse=True)
def _fresh_custom_field_definitions() -> Iterator[None]:
    # Definitions are cached per process for a few seconds and the cache is cleared on
    # commit, which never comes inside a test: start and leave every test with none cached.
    forget_definitions()
    yield
    forget_definitions()
