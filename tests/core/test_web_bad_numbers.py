"""A number beyond 64 bits in a web page's query is a bad request (400), never a 500."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client

pytestmark = pytest.mark.django_db

HUGE = str(10**30)


@pytest.mark.parametrize(
    "url",
    [f"/tickets/?team={HUGE}", f"/kb/manage/?owner={HUGE}"],
)
def test_huge_numbers_in_page_queries_are_400_not_500(personas, url):
    cache.clear()  # queue counts are cached per user id, and ids repeat across tests
    client = Client(raise_request_exception=False)
    client.force_login(personas.admin)

    response = client.get(url)

    # SQLite cannot bind the number (400); PostgreSQL simply finds nothing (200).
    assert response.status_code in (200, 400), url
