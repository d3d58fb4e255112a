"""Fixtures of the dispatch tests (the triage ones live in triage_fixtures.py)."""

from tests.dispatch.triage_fixtures import (  # noqa: F401
    active_model,
    synthetic_classifier,
    triage_world,
)
