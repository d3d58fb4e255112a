"""Shared set-up for the triage tests: one small model trained once, and the rows it names."""

from __future__ import annotations

import pytest

from helpline.accounts.models import Team
from helpline.dispatch import services
from helpline.dispatch.models import TriageModel
from helpline.dispatch.triage import model as triage
from helpline.dispatch.triage.synthetic import TOPICS, generate
from helpline.tickets.models import Category

TRAINING_ROWS = 900


@pytest.fixture(scope="session")
def synthetic_classifier() -> triage.TriageClassifier:
    """A classifier over the synthetic topics, labelled with category and team slugs."""
    tickets = generate(TRAINING_ROWS, seed=11)
    return triage.train(
        [t.text for t in tickets],
        {
            "category": [t.category for t in tickets],
            "team": [t.team for t in tickets],
            "priority": [t.priority for t in tickets],
        },
    )


@pytest.fixture
def triage_world(db) -> dict[str, Category | Team]:
    """A category and a team row for every synthetic topic, by slug."""
    rows: dict[str, Category | Team] = {}
    for topic in TOPICS:
        if topic.team not in rows:
            rows[topic.team] = Team.objects.get_or_create(
                slug=topic.team, defaults={"name": topic.team.replace("-", " ").title()}
            )[0]
        rows[topic.category] = Category.objects.get_or_create(
            slug=topic.category, defaults={"name": topic.category.replace("-", " ").title()}
        )[0]
    return rows


@pytest.fixture
def active_model(db, synthetic_classifier, triage_world) -> TriageModel:
    services.forget_loaded_model()
    fitted = services.Fitted(classifier=synthetic_classifier, reports={}, n_train=TRAINING_ROWS)
    row = services.save_version(fitted, trigger="test")
    yield row
    services.forget_loaded_model()
