"""Auto-triage over the ticket history: train a version, and triage new tickets with it.

Labels are the tickets' current values: when an agent corrects a field triage set,
the correction is what the next training learns. A value triage set on a ticket that
is still open (nobody has confirmed it yet) is left out, so the model does not learn
from its own guesses.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Max, OuterRef, Subquery

from helpline.accounts.models import Team
from helpline.dispatch.models import TriageModel, TriagePrediction
from helpline.dispatch.triage import model as triage
from helpline.dispatch.triage import storage
from helpline.dispatch.triage.model import TriageClassifier, TriageDataError
from helpline.tickets import services as tickets
from helpline.tickets.choices import ACTIVE_STATUSES
from helpline.tickets.models import Category, Message, Ticket

logger = logging.getLogger(__name__)

FIELDS = ("category", "team", "priority")
AUTO_APPLY_FIELDS = ("category", "team")  # the priority is only suggested: it drives the SLA
MIN_TRAINING_TICKETS = 20
MIN_CLASS_EXAMPLES = 3
MAX_TRAINING_TICKETS = 200_000
KEEP_VERSIONS = 5
EXPLAIN_TERMS = 8


def ticket_text(subject: str, body: str | None) -> str:
    """What triage reads: the subject and the first message."""
    return f"{subject}\n{body or ''}"


# --- the history as training data -------------------------------------------------------


@dataclass
class History:
    ticket_ids: list[int]
    texts: list[str]
    labels: dict[str, list[str | None]]


def load_history(limit: int = MAX_TRAINING_TICKETS) -> History:
    """The newest `limit` tickets' texts and labels (None where a field has no usable label).

    Categories and teams are labelled by slug: readable in reports and explanations, and
    stable across databases (a model trained on a copy works on production).
    """
    first_body = Subquery(
        Message.objects.filter(ticket=OuterRef("pk"))
        .order_by("created_at", "id")
        .values("body_text")[:1]
    )
    rows = list(
        Ticket.objects.filter(merged_into__isnull=True)
        .annotate(first_body=first_body)
        .order_by("-id")
        .values_list("pk", "subject", "first_body", "category__slug", "team__slug", "priority")[
            :limit
        ]
    )
    unconfirmed = set(
        TriagePrediction.objects.filter(applied=True, ticket__status__in=ACTIVE_STATUSES)
        .values_list("ticket_id", "field", "predicted")
        .iterator()
    )
    labels: dict[str, list[str | None]] = {name: [] for name in FIELDS}
    for pk, _subject, _body, category, team, priority in rows:
        for name, value in (("category", category), ("team", team), ("priority", priority)):
            label = None if value is None else str(value)
            if label is not None and (pk, name, label) in unconfirmed:
                label = None
            labels[name].append(label)
    for name, values in labels.items():
        labels[name] = _without_rare(values)
    return History(
        ticket_ids=[row[0] for row in rows],
        texts=[ticket_text(row[1], row[2]) for row in rows],
        labels=labels,
    )


def _without_rare(values: list[str | None]) -> list[str | None]:
    """Classes with fewer than MIN_CLASS_EXAMPLES tickets cannot be learnt: unlabel them."""
    counts: dict[str, int] = {}
    for value in values:
        if value is not None:
            counts[value] = counts.get(value, 0) + 1
    return [v if v is not None and counts[v] >= MIN_CLASS_EXAMPLES else None for v in values]


# --- training and evaluation ------------------------------------------------------------


@dataclass
class Fitted:
    classifier: TriageClassifier
    reports: dict[str, triage.Report]
    skipped: dict[str, str] = field(default_factory=dict)
    train_seconds: float = 0.0
    n_train: int = 0
    n_test: int = 0


def _split_indices(history: History, seed: int) -> tuple[list[int], list[int]]:
    """Stratified by category where there are categories, else a plain random split."""
    indices = list(range(len(history.texts)))
    strata = [label or "-" for label in history.labels["category"]]
    try:
        parts = triage.split(indices, strata, seed=seed)
    except TriageDataError:
        from sklearn.model_selection import train_test_split

        train_idx, test_idx = train_test_split(
            indices, test_size=triage.TEST_SIZE, random_state=seed
        )
        return list(train_idx), list(test_idx)
    return list(parts.train_texts), list(parts.test_texts)


def fit_history(history: History, *, seed: int = triage.SEED) -> Fitted:
    """Train on a held-back split of the history and score each field on the rest.

    The version that goes live is exactly the one evaluated (trained on the training
    part), so its report describes it.
    """
    if len(history.texts) < MIN_TRAINING_TICKETS:
        raise TriageDataError(
            f"Need at least {MIN_TRAINING_TICKETS} tickets to train, found {len(history.texts)}."
        )
    train_idx, test_idx = _split_indices(history, seed)
    train_texts = [history.texts[i] for i in train_idx]
    train_labels, skipped = {}, {}
    for name in FIELDS:
        values = [history.labels[name][i] for i in train_idx]
        classes = {v for v in values if v is not None}
        if len(classes) < 2:
            skipped[name] = f"{len(classes)} class(es) with {MIN_CLASS_EXAMPLES}+ labelled tickets"
            continue
        train_labels[name] = values
    if not train_labels:
        raise TriageDataError(
            "Nothing to learn: no field has two classes with enough labelled tickets ("
            + "; ".join(f"{k}: {v}" for k, v in skipped.items())
            + ")."
        )
    started = time.perf_counter()
    classifier = triage.train(train_texts, train_labels, seed=seed)
    elapsed = time.perf_counter() - started
    reports = {}
    for name, values in train_labels.items():
        scored = [i for i in test_idx if history.labels[name][i] is not None]
        labelled_train = [
            (text, label)
            for text, label in zip(train_texts, values, strict=True)
            if label is not None
        ]
        data = triage.Split(
            train_texts=[t for t, _ in labelled_train],
            train_labels=[label for _, label in labelled_train],
            test_texts=[history.texts[i] for i in scored],
            test_labels=[history.labels[name][i] for i in scored],
            notes=[],
        )
        if not scored:
            skipped[name] = "no labelled tickets in the held-back part"
            continue
        predicted = classifier.predict_many(data.test_texts, name)
        baseline = triage.baseline_predictions(
            data.train_texts, data.train_labels, data.test_texts, seed
        )
        reports[name] = triage.score(name, data, predicted, baseline, elapsed)
    return Fitted(
        classifier=classifier,
        reports=reports,
        skipped=skipped,
        train_seconds=elapsed,
        n_train=len(train_idx),
        n_test=len(test_idx),
    )


def train_model(*, trigger: str = "command", seed: int = triage.SEED) -> TriageModel:
    """Train a new version on the history, store it with its report and make it active."""
    started = time.perf_counter()
    fitted = fit_history(load_history(), seed=seed)
    return save_version(fitted, trigger=trigger, seconds=time.perf_counter() - started)


def save_version(fitted: Fitted, *, trigger: str, seconds: float = 0.0) -> TriageModel:
    """Store a fitted classifier as the next version, active from now on."""
    payload, digest = storage.dump(fitted.classifier)
    metrics: dict = {name: _report_json(report) for name, report in fitted.reports.items()}
    if fitted.skipped:
        metrics["_skipped"] = fitted.skipped
    for attempt in range(3):
        try:
            with transaction.atomic():
                latest = TriageModel.objects.aggregate(v=Max("version"))["v"] or 0
                TriageModel.objects.filter(is_active=True).update(is_active=False)
                row = TriageModel.objects.create(
                    version=latest + 1,
                    is_active=True,
                    trigger=trigger[:20],
                    fields=sorted(fitted.classifier.heads),
                    n_train=fitted.n_train,
                    n_test=fitted.n_test,
                    metrics=metrics,
                    train_seconds=round(seconds, 3),
                    payload=payload,
                    sha256=digest,
                    size_bytes=len(payload),
                )
                _prune_versions()
            break
        except IntegrityError:  # another training took the version number: take the next
            if attempt == 2:
                raise
    logger.info(
        "triage v%s trained on %s tickets in %.1fs (%s bytes)",
        row.version,
        fitted.n_train,
        seconds,
        row.size_bytes,
    )
    return row


def train_scheduled() -> str:
    """The periodic job: retrain, unless there is too little history yet."""
    try:
        row = train_model(trigger="schedule")
    except TriageDataError as exc:
        return f"skipped: {exc}"
    return f"triage v{row.version}"


def _report_json(report: triage.Report) -> dict:
    return {
        **report.summary(),
        "classes": report.classes,
        "per_class": report.per_class,
        "confusion": report.confusion,
        "notes": report.notes,
    }


def _prune_versions() -> None:
    keep = list(
        TriageModel.objects.order_by("-version").values_list("pk", flat=True)[:KEEP_VERSIONS]
    )
    TriageModel.objects.exclude(pk__in=keep).exclude(is_active=True).delete()


# --- the active version, loaded once per process ------------------------------------------


@dataclass(frozen=True)
class Loaded:
    pk: int
    version: int
    classifier: TriageClassifier


_loaded: Loaded | None = None
_load_lock = threading.Lock()


def active_model() -> Loaded | None:
    """The active version's classifier; reloaded only when another version became active."""
    global _loaded
    current = (
        TriageModel.objects.filter(is_active=True)
        .order_by("-version")
        .values_list("pk", "version", "sha256")
        .first()
    )
    if current is None:
        return None
    pk, version, digest = current
    loaded = _loaded
    if loaded is not None and loaded.pk == pk:
        return loaded
    with _load_lock:
        if _loaded is None or _loaded.pk != pk:
            payload = TriageModel.objects.values_list("payload", flat=True).get(pk=pk)
            _loaded = Loaded(pk, version, storage.load(bytes(payload), digest))
        return _loaded


def forget_loaded_model() -> None:
    global _loaded
    _loaded = None


# --- triaging a ticket ---------------------------------------------------------------------


def _field_values(predictions: dict) -> dict:
    """The rows the confident category/team predictions name (inactive or missing ones dropped)."""
    values = {}
    if "category" in predictions:
        values["category"] = Category.objects.filter(
            slug=predictions["category"].label, is_active=True
        ).first()
    if "team" in predictions:
        values["team"] = Team.objects.filter(slug=predictions["team"].label).first()
    return {name: value for name, value in values.items() if value is not None}


@transaction.atomic
def triage_ticket(ticket_id: int) -> list[TriagePrediction]:
    """Predict a ticket's fields; set the confident ones that are empty, suggest the rest.

    Idempotent: a ticket already triaged by the active version is left as it is.
    """
    loaded = active_model()
    if loaded is None:
        return []
    existing = list(
        TriagePrediction.objects.filter(ticket_id=ticket_id, model_version=loaded.version)
    )
    if existing:
        return existing
    ticket = Ticket.objects.filter(pk=ticket_id, merged_into__isnull=True).first()
    if ticket is None:
        return []
    body = (
        Message.objects.filter(ticket_id=ticket_id)
        .order_by("created_at", "id")
        .values_list("body_text", flat=True)
        .first()
    )
    predictions = loaded.classifier.predict(
        ticket_text(ticket.subject, body), explain=EXPLAIN_TERMS
    )
    threshold = settings.TRIAGE_AUTO_APPLY_CONFIDENCE
    confident = {
        name: p
        for name, p in predictions.items()
        if name in AUTO_APPLY_FIELDS and p.confidence >= threshold
    }
    applied: list[str] = []
    changes = _field_values(confident)
    if changes:
        applied = tickets.apply_triage(
            ticket_id,
            changes,
            confidence={name: confident[name].confidence for name in changes},
            model_version=loaded.version,
        )
    rows = [
        TriagePrediction(
            ticket_id=ticket_id,
            model_id=loaded.pk,
            model_version=loaded.version,
            field=name,
            predicted=p.label[:100],
            confidence=p.confidence,
            applied=name in applied,
            top_terms=[{"term": t.term, "weight": t.weight} for t in p.top_terms],
            alternatives=list(p.alternatives),
        )
        for name, p in predictions.items()
    ]
    return TriagePrediction.objects.bulk_create(rows)
