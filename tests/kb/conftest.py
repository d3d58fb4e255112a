"""Knowledge-base fixtures: the fixture corpus imported once per test that asks for it."""

from __future__ import annotations

import pytest

from helpline.kb.importer import import_folder
from tests.kb.quality import ARTICLES


@pytest.fixture
def corpus(db):
    report = import_folder(ARTICLES)
    assert report.ok, report.rejected
    return report
