"""Read queries of dispatch: what triage said about a ticket, and how often it was right."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import get_language

from helpline.accounts.models import Team, User
from helpline.core.problems import NotFound
from helpline.dispatch.models import TriageModel, TriagePrediction
from helpline.tickets.choices import Priority
from helpline.tickets.models import Category
from helpline.tickets.selectors import get_ticket

PRIORITY_FIELD = "priority"


@dataclass(frozen=True)
class TriageView:
    """The latest prediction per field, with display names and the words behind it."""

    ticket_id: int
    model_version: int | None
    predictions: list[dict]


def triage_for(actor: User, ticket_id: int) -> TriageView:
    """Triage's latest predictions for a ticket; agents only (others get "not found")."""
    if not actor.is_agent:
        raise NotFound("No such ticket.")
    ticket = get_ticket(actor, ticket_id)
    latest: dict[str, TriagePrediction] = {}
    for prediction in TriagePrediction.objects.filter(ticket=ticket).order_by("-id")[:30]:
        latest.setdefault(prediction.field, prediction)
    names = _display_names(list(latest.values()))
    current = {
        "category": ticket.category.slug if ticket.category else None,
        "team": ticket.team.slug if ticket.team else None,
        PRIORITY_FIELD: ticket.priority,
    }
    rows = [
        {
            "field": field,
            "label": p.predicted,
            "display": names.get((field, p.predicted), p.predicted),
            "confidence": p.confidence,
            "applied": p.applied,
            "matches_ticket": current.get(field) == p.predicted,
            "top_terms": p.top_terms,
            "alternatives": [
                {"label": label, "display": names.get((field, label), label)}
                for label in p.alternatives
            ],
            "model_version": p.model_version,
            "created_at": p.created_at,
        }
        for field, p in sorted(latest.items())
    ]
    version = max((p.model_version for p in latest.values()), default=None)
    return TriageView(ticket_id=ticket.pk, model_version=version, predictions=rows)


def _display_names(predictions: list[TriagePrediction]) -> dict[tuple[str, str], str]:
    """Category and team names for the predicted slugs; priorities show their label."""
    wanted: dict[str, set[str]] = {"category": set(), "team": set(), PRIORITY_FIELD: set()}
    for p in predictions:
        if p.field in wanted:
            wanted[p.field].update([p.predicted, *p.alternatives])
    names: dict[tuple[str, str], str] = {}
    language = get_language() or "en"
    for category in Category.objects.filter(slug__in=wanted["category"]):
        names[("category", category.slug)] = category.localized_name(language[:2])
    for team in Team.objects.filter(slug__in=wanted["team"]):
        names[("team", team.slug)] = team.name
    for value in wanted[PRIORITY_FIELD]:
        if value in Priority.values:
            names[(PRIORITY_FIELD, value)] = str(Priority(value).label)
    return names


def model_versions() -> list[TriageModel]:
    return list(TriageModel.objects.without_payload().order_by("-version"))


def production_accuracy() -> dict[str, dict[str, float | int]]:
    """Per field: how many predictions on finished tickets the final value agrees with."""
    from helpline.tickets.choices import ACTIVE_STATUSES

    rows = (
        TriagePrediction.objects.exclude(ticket__status__in=ACTIVE_STATUSES)
        .values_list(
            "field", "predicted", "ticket__category__slug", "ticket__team__slug", "ticket__priority"
        )
        .iterator()
    )
    totals: dict[str, list[int]] = {}
    for field, predicted, category_id, team_id, priority in rows:
        final = {"category": category_id, "team": team_id, PRIORITY_FIELD: priority}.get(field)
        counts = totals.setdefault(field, [0, 0])
        counts[0] += 1
        counts[1] += int(final is not None and str(final) == predicted)
    return {
        field: {"predictions": n, "correct": ok, "accuracy": round(ok / n, 4) if n else 0.0}
        for field, (n, ok) in sorted(totals.items())
    }
