"""Training, prediction, explanation and evaluation of the triage classifier (pure, no ORM).

Features: TF-IDF (sublinear tf) over Snowball stems and stem bigrams, plus TF-IDF over
character 3-5-grams of transliterated words (typos, transliteration, inflections the
stemmer missed). Both blocks are computed once per ticket and shared by one linear
model per predicted field (category, team, priority): a LinearSVC with balanced class
weights inside a sigmoid CalibratedClassifierCV, so every prediction has a confidence.

The baseline the model must at least match is scikit-learn's plain TfidfVectorizer +
LinearSVC on the raw text, trained and scored on the same split.
"""

from __future__ import annotations

import math
import warnings
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.stats import binomtest
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
)
from sklearn.model_selection import KFold, train_test_split
from sklearn.svm import LinearSVC

from helpline.dispatch.triage.text import STOP_WORDS, analyse, stem, subwords, tokens

SEED = 42
MIN_ROWS = 10
TEST_SIZE = 0.2
# Each head picks, by cross-validation on (a sample of) its training rows, how much the
# sub-word block weighs against the word block, whether classes are balanced, and C.
CANDIDATES: tuple[tuple[float, str | None, float], ...] = (
    (1.6, "balanced", 0.3),
    (0.8, "balanced", 0.3),
    (1.6, None, 0.3),
    (0.8, None, 0.3),
)
MAX_WORD_FEATURES = 150_000
MAX_SUBWORD_FEATURES = 150_000
SVC_C = 0.3
MIN_DF_FROM_ROWS = 2_000  # below, a word seen once may still be the one that decides
CALIBRATION_ROWS = 6_000
TRAIN_THREADS = 2


class TriageDataError(ValueError):
    """The data cannot be trained or evaluated on (too few rows or classes); the message says why."""


def _identity(features):
    return features


def _vectorizer(max_features: int, min_df: int) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer=_identity,
        sublinear_tf=True,
        min_df=min_df,
        max_features=max_features,
        dtype=np.float32,
    )


def _tfidf_row(
    features: list[str], vocabulary: dict[str, int], idf: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Sublinear tf x idf, L2-normalised: what TfidfVectorizer computes for one row."""
    counts = Counter(index for index in map(vocabulary.get, features) if index is not None)
    if not counts:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
    indices = np.fromiter(counts.keys(), dtype=np.int64, count=len(counts))
    tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
    values = (1.0 + np.log(tf)) * idf[indices]
    return indices, values / np.sqrt(np.dot(values, values))


@dataclass
class Features:
    """The fitted feature space: word and sub-word TF-IDF blocks side by side."""

    words: TfidfVectorizer
    subwords: TfidfVectorizer

    @classmethod
    def fit(cls, texts: Sequence[str]) -> tuple[Features, sp.csr_matrix]:
        analysed = [analyse(text) for text in texts]
        min_df = 2 if len(texts) >= MIN_DF_FROM_ROWS else 1
        words = _vectorizer(MAX_WORD_FEATURES, min_df)
        subwords = _vectorizer(MAX_SUBWORD_FEATURES, min_df)
        x_words = words.fit_transform([a[0] for a in analysed])
        x_sub = subwords.fit_transform([a[1] for a in analysed])
        # The terms cut by min_df/max_features are only kept for introspection: drop them.
        words.stop_words_ = subwords.stop_words_ = None
        return cls(words, subwords), sp.hstack([x_words, x_sub], format="csr", dtype=np.float32)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        analysed = [analyse(text) for text in texts]
        x_words = self.words.transform([a[0] for a in analysed])
        x_sub = self.subwords.transform([a[1] for a in analysed])
        return sp.hstack([x_words, x_sub], format="csr", dtype=np.float32)

    @property
    def n_words(self) -> int:
        return len(self.words.vocabulary_)

    def vector(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """One text's non-zero features (column indices, values): `transform` without
        scikit-learn's per-call overhead, which would dominate a single prediction."""
        word_features, sub_features = analyse(text)
        idx_w, val_w = _tfidf_row(word_features, self.words.vocabulary_, self.words.idf_)
        idx_s, val_s = _tfidf_row(sub_features, self.subwords.vocabulary_, self.subwords.idf_)
        return np.concatenate([idx_w, idx_s + self.n_words]), np.concatenate([val_w, val_s])

    def names(self) -> np.ndarray:
        return np.concatenate(
            [self.words.get_feature_names_out(), self.subwords.get_feature_names_out()]
        )


@dataclass
class Head:
    """One predicted field: its linear model and the calibration of its confidence.

    The label is the LinearSVC's best class. Its confidence comes from Platt scaling:
    one sigmoid, shared by all classes and fitted on out-of-fold scores (see `_select`),
    turns each class's score into a probability, normalised over the classes. A text
    with no known words scores low for every class, so it gets a low confidence; the
    auto-apply threshold compares against this number.
    """

    svc: LinearSVC
    calibrator: LogisticRegression | None

    @property
    def classes(self) -> list[str]:
        return [str(c) for c in self.svc.classes_]

    def scores(self, x: sp.csr_matrix) -> np.ndarray:
        return _class_scores(self.svc.decision_function(x))

    def scores_one(self, indices: np.ndarray, values: np.ndarray) -> np.ndarray:
        """`scores` for one row given as (indices, values), as a 1 x classes array."""
        decision = self.svc.coef_[:, indices] @ values + self.svc.intercept_
        if len(decision) == 1:  # two classes: one score, for the second class
            return np.array([[-decision[0], decision[0]]])
        return decision[None, :]

    def confidence(self, scores: np.ndarray) -> np.ndarray:
        """The calibrated probability of the best class, per row."""
        if self.calibrator is None:  # too little data to calibrate: a plain squashing
            slope, intercept = 2.0, 0.0
        else:
            slope = float(self.calibrator.coef_[0, 0])
            intercept = float(self.calibrator.intercept_[0])
        per_class = 1.0 / (1.0 + np.exp(-(slope * scores + intercept)))
        per_class = per_class / np.maximum(per_class.sum(axis=1, keepdims=True), 1e-12)
        return per_class[np.arange(len(scores)), scores.argmax(axis=1)]

    def coef_for(self, row: int) -> np.ndarray:
        coef = self.svc.coef_
        return coef[row] if coef.shape[0] > 1 else coef[0] * (1 if row else -1)


def _class_scores(decision: np.ndarray) -> np.ndarray:
    """Decision values as one column per class, also for two classes."""
    return np.column_stack([-decision, decision]) if decision.ndim == 1 else decision


@dataclass(frozen=True)
class Term:
    term: str
    weight: float


@dataclass(frozen=True)
class Prediction:
    field: str
    label: str
    confidence: float
    top_terms: tuple[Term, ...] = ()
    alternatives: tuple[str, ...] = ()


@dataclass
class TriageClassifier:
    """The fitted classifier for several fields over one shared feature space."""

    features: Features
    heads: dict[str, Head]
    meta: dict = field(default_factory=dict)

    def predict(self, text: str, *, explain: int = 0) -> dict[str, Prediction]:
        """Each field's most likely label, its confidence and (if asked) the top terms."""
        indices, values = self.features.vector(text)
        return {
            name: self._predict_head(text, name, head, indices, values, explain)
            for name, head in self.heads.items()
        }

    def predict_many(self, texts: Sequence[str], field_name: str) -> list[str]:
        head = self.heads[field_name]
        scores = head.scores(self.features.transform(texts))
        classes = head.classes
        return [classes[i] for i in scores.argmax(axis=1)]

    def _predict_head(
        self,
        text: str,
        name: str,
        head: Head,
        indices: np.ndarray,
        values: np.ndarray,
        explain: int,
    ) -> Prediction:
        scores = head.scores_one(indices, values)
        order = np.argsort(-scores[0])
        best = int(order[0])
        classes = head.classes
        return Prediction(
            field=name,
            label=classes[best],
            confidence=round(float(head.confidence(scores)[0]), 4),
            top_terms=self._explain(text, head, indices, values, best, explain) if explain else (),
            alternatives=tuple(classes[int(i)] for i in order[1:3]),
        )

    def _explain(
        self,
        text: str,
        head: Head,
        indices: np.ndarray,
        values: np.ndarray,
        row: int,
        limit: int,
    ) -> tuple[Term, ...]:
        """The words of the text that pushed it towards the class, strongest first.

        A feature's push is its weight times its tf-idf value. Each word collects the
        push of its stem, half of each bigram it is in and a share of each sub-word it
        contains, so the reader sees words ("принтер"), not fragments ("…rint…").
        """
        coef = head.coef_for(row)
        push = dict(zip(indices.tolist(), (coef[indices] * values).tolist(), strict=True))
        words_vocabulary = self.features.words.vocabulary_
        sub_vocabulary = self.features.subwords.vocabulary_
        n_words = self.features.n_words
        words = [t for t in tokens(text) if t not in STOP_WORDS]
        word_stems = [stem(t) for t in words]
        holders = Counter(gram for t in set(words) for gram in set(subwords(t)))
        scores: Counter[str] = Counter()
        for position, (word, word_stem) in enumerate(zip(words, word_stems, strict=True)):
            if word in scores:
                continue
            total = push.get(words_vocabulary.get(word_stem, -1), 0.0)
            for other in (position - 1, position + 1):
                if 0 <= other < len(words):
                    pair = sorted((position, other))
                    bigram = f"{word_stems[pair[0]]} {word_stems[pair[1]]}"
                    total += push.get(words_vocabulary.get(bigram, -1), 0.0) / 2
            for gram in set(subwords(word)):
                index = sub_vocabulary.get(gram)
                if index is not None:
                    total += push.get(n_words + index, 0.0) / holders[gram]
            scores[word] = total
        return tuple(
            Term(word, round(weight, 4)) for word, weight in scores.most_common(limit) if weight > 0
        )


def _svc(seed: int, class_weight: str | None, c: float = SVC_C) -> LinearSVC:
    # Always the dual solver: "auto" picks the primal one once there are more tickets
    # than features, which is ten times slower on sparse text (100 s instead of 10 s at
    # 100,000 tickets). tol 1e-2: a fifth fewer passes, the same predictions on text.
    return LinearSVC(C=c, class_weight=class_weight, tol=1e-2, dual=True, random_state=seed)


def _weighted(x: sp.csr_matrix, n_words: int, subword_weight: float) -> sp.csr_matrix:
    """The features with the sub-word columns (from n_words on) scaled."""
    x = x.copy()
    x.data[x.indices >= n_words] *= subword_weight
    return x


def _fit_head(x: sp.csr_matrix, labels: Sequence[str | None], n_words: int, seed: int) -> Head:
    """Fit one field's model on the rows that have a label for it (None: no label)."""
    rows = np.asarray([i for i, label in enumerate(labels) if label is not None], dtype=np.int64)
    labels_array = np.asarray([str(labels[i]) for i in rows])
    if len(np.unique(labels_array)) < 2:
        raise TriageDataError("Need at least two classes to train.")
    x = x[rows] if len(rows) < x.shape[0] else x
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        (subword_weight, class_weight, c), calibrator = _select(x, labels_array, n_words, seed)
        svc = _svc(seed, class_weight, c).fit(_weighted(x, n_words, subword_weight), labels_array)
    # Fold the block weight into the coefficients, so prediction needs no rescaling, and
    # keep them as float32: half the size stored, the same predictions to many decimals.
    coef = svc.coef_.astype(np.float32)
    coef[:, n_words:] *= subword_weight
    svc.coef_ = coef
    return Head(svc=svc, calibrator=calibrator)


def _select(
    x: sp.csr_matrix, labels: np.ndarray, n_words: int, seed: int
) -> tuple[tuple[float, str | None, float], LogisticRegression | None]:
    """Pick the best candidate settings by 3-fold macro-F1 and calibrate the confidence.

    Both on a random sample of at most CALIBRATION_ROWS training rows: the sigmoid is
    fitted on the winner's out-of-fold (score, is-the-true-class) pairs. The folds'
    models are a little weaker than the full one, so it errs on the cautious side.
    """
    rng = np.random.default_rng(seed)
    rows = np.arange(x.shape[0])
    if len(rows) > CALIBRATION_ROWS:
        rows = rng.choice(rows, CALIBRATION_ROWS, replace=False)
    if len(rows) < 30:
        return CANDIDATES[0], None
    # Small data: more folds, so that the choice rests on more held-out predictions.
    n_folds = 5 if len(rows) <= 3000 else 3
    folds = list(KFold(n_folds, shuffle=True, random_state=seed).split(rows))
    truth = labels[rows]
    classes = np.unique(truth)
    best: tuple[float, tuple, np.ndarray | None] = (-1.0, CANDIDATES[0], None)
    for candidate in CANDIDATES:
        weighted = _weighted(x[rows], n_words, candidate[0])
        # Out-of-fold scores, one column per class; a class a fold never saw scores -10.
        scores = np.full((len(rows), len(classes)), -10.0)
        done = np.zeros(len(rows), dtype=bool)
        for train_rows, test_rows in folds:
            if len(np.unique(truth[train_rows])) < 2:
                continue
            svc = _svc(seed, candidate[1], candidate[2]).fit(
                weighted[train_rows], truth[train_rows]
            )
            columns = np.searchsorted(classes, svc.classes_)
            fold_scores = _class_scores(svc.decision_function(weighted[test_rows]))
            scores[np.ix_(test_rows, columns)] = fold_scores
            done[test_rows] = True
        if not done.any():
            continue
        predicted = classes[scores[done].argmax(axis=1)]
        quality = f1_score(truth[done], predicted, average="macro", zero_division=0)
        if quality > best[0]:
            best = (quality, candidate, np.where(done[:, None], scores, np.nan))
    _, candidate, scores = best
    if scores is None:
        return candidate, None
    known = ~np.isnan(scores[:, 0])
    pairs = scores[known].ravel()
    is_true = (classes[None, :] == truth[known][:, None]).ravel()
    seen = pairs > -10.0
    return candidate, LogisticRegression(C=1.0).fit(pairs[seen].reshape(-1, 1), is_true[seen])


def train(
    texts: Sequence[str], labels: dict[str, Sequence[str | None]], *, seed: int = SEED
) -> TriageClassifier:
    """Fit the features once and one head per field.

    `labels` maps a field to one label per text; None where a text has no label for
    that field (its words still shape the features).
    """
    if not texts:
        raise TriageDataError("No texts to train on.")
    features, x = Features.fit(texts)
    # liblinear releases the GIL: the fields' models train side by side.
    with ThreadPoolExecutor(max_workers=max(1, min(TRAIN_THREADS, len(labels)))) as pool:
        futures = {
            name: pool.submit(_fit_head, x, values, features.n_words, seed)
            for name, values in labels.items()
        }
        heads = {name: future.result() for name, future in futures.items()}
    return TriageClassifier(features=features, heads=heads, meta={"n_train": len(texts)})


# --- evaluation -------------------------------------------------------------------------


@dataclass
class Split:
    train_texts: list[str]
    train_labels: list[str]
    test_texts: list[str]
    test_labels: list[str]
    notes: list[str]


def split(
    texts: Sequence[str], labels: Sequence[str], *, seed: int = SEED, test_size: float = TEST_SIZE
) -> Split:
    """A stratified split with a fixed seed.

    Classes with a single example cannot be stratified: their rows go to training only
    (they cannot be scored) and the split says so in `notes`.
    """
    if len(texts) != len(labels):
        raise TriageDataError("Texts and labels differ in length.")
    if len(texts) < MIN_ROWS:
        raise TriageDataError(f"Too few rows ({len(texts)}): need at least {MIN_ROWS}.")
    counts = Counter(labels)
    if len(counts) < 2:
        raise TriageDataError(
            f"Need at least two classes, found {len(counts)} ({', '.join(map(str, counts)) or '-'})."
        )
    singles = sorted(label for label, n in counts.items() if n < 2)
    keep = [i for i, label in enumerate(labels) if counts[label] >= 2]
    n_classes = len(counts) - len(singles)
    if n_classes < 2:
        raise TriageDataError(
            "Need at least two classes with two or more examples each to split and score."
        )
    n_test = max(math.ceil(len(keep) * test_size), n_classes)
    if len(keep) - n_test < n_classes:
        raise TriageDataError(
            f"Too few rows ({len(texts)}) for {n_classes} classes: need at least "
            f"{2 * n_classes} rows with two examples of each class."
        )
    train_idx, test_idx = train_test_split(
        keep, test_size=n_test, random_state=seed, stratify=[labels[i] for i in keep]
    )
    train_idx = list(train_idx) + [i for i, label in enumerate(labels) if counts[label] < 2]
    notes = []
    if singles:
        notes.append(
            f"{len(singles)} class(es) with a single example kept in training only, not scored: "
            + ", ".join(map(str, singles[:10]))
            + ("…" if len(singles) > 10 else "")
        )
    return Split(
        train_texts=[texts[i] for i in train_idx],
        train_labels=[labels[i] for i in train_idx],
        test_texts=[texts[i] for i in test_idx],
        test_labels=[labels[i] for i in test_idx],
        notes=notes,
    )


@dataclass
class Report:
    """The figures of one field on a held-back split."""

    field: str
    accuracy: float
    macro_f1: float
    baseline_accuracy: float
    baseline_macro_f1: float
    n_train: int
    n_test: int
    classes: list[str]
    per_class: dict[str, dict[str, float]]
    confusion: list[list[int]]
    notes: list[str] = field(default_factory=list)
    train_seconds: float = 0.0
    # The paired comparison on the same test rows: how many only the model gets right,
    # how many only the baseline. Near the data's ceiling the two differ on a handful
    # of rows, so a lower macro-F1 may be chance: `p_worse` says how likely.
    only_model_right: int = 0
    only_baseline_right: int = 0
    predicted: list[str] = field(default_factory=list, repr=False)
    baseline_predicted: list[str] = field(default_factory=list, repr=False)

    @property
    def p_worse(self) -> float:
        """Exact one-sided McNemar test: the chance of the baseline winning at least this
        many of the rows where the two disagree if both were equally good (small: the
        model is really worse)."""
        disagreements = self.only_model_right + self.only_baseline_right
        if not disagreements:
            return 1.0
        return float(
            binomtest(self.only_baseline_right, disagreements, 0.5, alternative="greater").pvalue
        )

    def summary(self) -> dict:
        return {
            "accuracy": round(self.accuracy, 4),
            "macro_f1": round(self.macro_f1, 4),
            "baseline_accuracy": round(self.baseline_accuracy, 4),
            "baseline_macro_f1": round(self.baseline_macro_f1, 4),
            "n_train": self.n_train,
            "n_test": self.n_test,
            "only_model_right": self.only_model_right,
            "only_baseline_right": self.only_baseline_right,
            "p_worse": round(self.p_worse, 4),
        }


def baseline_predictions(
    train_texts: Sequence[str], train_labels: Sequence[str], test_texts: Sequence[str], seed: int
) -> list[str]:
    """Plain TfidfVectorizer (defaults) + LinearSVC (defaults) on the raw text."""
    vectorizer = TfidfVectorizer()
    svc = LinearSVC(random_state=seed)
    svc.fit(vectorizer.fit_transform(train_texts), train_labels)
    return [str(label) for label in svc.predict(vectorizer.transform(test_texts))]


def score(
    field_name: str,
    data: Split,
    predicted: Sequence[str],
    baseline: Sequence[str],
    train_seconds: float = 0.0,
) -> Report:
    truth = [str(label) for label in data.test_labels]
    classes = sorted(set(truth) | set(predicted))
    precision, recall, f1, support = precision_recall_fscore_support(
        truth, predicted, labels=classes, zero_division=0
    )
    scored = sorted(set(truth))  # macro averages over the classes present in the test set
    predicted, baseline = [str(p) for p in predicted], [str(b) for b in baseline]
    model_right = [p == t for p, t in zip(predicted, truth, strict=True)]
    baseline_right = [b == t for b, t in zip(baseline, truth, strict=True)]
    return Report(
        field=field_name,
        accuracy=float(accuracy_score(truth, predicted)),
        macro_f1=float(f1_score(truth, predicted, labels=scored, average="macro", zero_division=0)),
        baseline_accuracy=float(accuracy_score(truth, baseline)),
        baseline_macro_f1=float(
            f1_score(truth, baseline, labels=scored, average="macro", zero_division=0)
        ),
        n_train=len(data.train_texts),
        n_test=len(data.test_texts),
        classes=classes,
        per_class={
            label: {
                "precision": round(float(p), 4),
                "recall": round(float(r), 4),
                "f1": round(float(f), 4),
                "support": int(s),
            }
            for label, p, r, f, s in zip(classes, precision, recall, f1, support, strict=True)
        },
        confusion=confusion_matrix(truth, predicted, labels=classes).tolist(),
        notes=list(data.notes),
        train_seconds=train_seconds,
        only_model_right=sum(m and not b for m, b in zip(model_right, baseline_right, strict=True)),
        only_baseline_right=sum(
            b and not m for m, b in zip(model_right, baseline_right, strict=True)
        ),
        predicted=predicted,
        baseline_predicted=baseline,
    )


def evaluate(
    texts: Sequence[str], labels: Sequence[str], *, field_name: str = "label", seed: int = SEED
) -> Report:
    """Train on a stratified split and score the held-back part, beside the plain baseline."""
    import time

    labels = [str(label) for label in labels]
    data = split(texts, labels, seed=seed)
    started = time.perf_counter()
    model = train(data.train_texts, {field_name: data.train_labels}, seed=seed)
    elapsed = time.perf_counter() - started
    predicted = model.predict_many(data.test_texts, field_name)
    baseline = baseline_predictions(data.train_texts, data.train_labels, data.test_texts, seed)
    return score(field_name, data, predicted, baseline, elapsed)


def format_report(report: Report) -> str:
    """A plain-text report: totals, per-class precision/recall/F1 and the confusion matrix."""
    width = max([len(c) for c in report.classes] + [8])
    lines = [
        f"Field: {report.field}",
        f"Rows: {report.n_train} train, {report.n_test} test (stratified, seed {SEED})",
        f"Accuracy: {report.accuracy:.4f}   macro-F1: {report.macro_f1:.4f}",
        f"Baseline (TF-IDF + LinearSVC): accuracy {report.baseline_accuracy:.4f}   "
        f"macro-F1 {report.baseline_macro_f1:.4f}",
        f"Rows only the model gets right: {report.only_model_right}; only the baseline: "
        f"{report.only_baseline_right} (chance of that if equally good: {report.p_worse:.2f})",
        *report.notes,
        "",
        f"{'class':<{width}}  precision  recall     f1  support",
    ]
    for label in report.classes:
        row = report.per_class[label]
        lines.append(
            f"{label:<{width}}  {row['precision']:9.4f}  {row['recall']:6.4f} {row['f1']:6.4f}"
            f"  {row['support']:7d}"
        )
    lines += ["", "Confusion matrix (rows: true, columns: predicted):"]
    short = [label[:6] for label in report.classes]
    lines.append(" " * (width + 2) + " ".join(f"{s:>6}" for s in short))
    for label, row in zip(report.classes, report.confusion, strict=True):
        lines.append(f"{label:<{width}}  " + " ".join(f"{n:6d}" for n in row))
    return "\n".join(lines)
