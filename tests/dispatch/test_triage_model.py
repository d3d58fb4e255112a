"""The triage classifier on generated tickets: quality against the baseline, confidence, storage."""

import pytest

from helpline.dispatch.triage import model as triage
from helpline.dispatch.triage import storage
from helpline.dispatch.triage.synthetic import generate


@pytest.fixture(scope="module")
def tickets():
    return generate(1500, seed=3)


@pytest.fixture(scope="module")
def reports(tickets):
    return {
        field: triage.evaluate([t.text for t in tickets], [getattr(t, field) for t in tickets])
        for field in ("category", "team", "priority")
    }


@pytest.mark.parametrize("field", ["category", "team", "priority"])
def test_model_at_least_matches_the_plain_baseline_on_the_same_split(reports, field):
    # when
    report = reports[field]

    # then
    assert report.n_train == 1200 and report.n_test == 300
    assert report.macro_f1 >= report.baseline_macro_f1
    assert report.only_model_right >= report.only_baseline_right
    assert report.macro_f1 > {"category": 0.9, "team": 0.9, "priority": 0.55}[field]


@pytest.mark.parametrize("field", ["category", "team"])
def test_model_errs_no_more_than_the_baseline_where_the_text_decides_the_label(
    tickets, reports, field
):
    # given: the test rows that are neither wrong labels nor ties between two topics
    labels = [getattr(t, field) for t in tickets]
    test_rows = triage.split(list(range(len(tickets))), labels).test_texts
    report = reports[field]
    decidable = [i for i, row in enumerate(test_rows) if tickets[row].decidable(field)]

    # when
    truth = [labels[test_rows[i]] for i in decidable]
    model_errors = sum(report.predicted[i] != t for i, t in zip(decidable, truth, strict=True))
    baseline_errors = sum(
        report.baseline_predicted[i] != t for i, t in zip(decidable, truth, strict=True)
    )

    # then
    assert 250 < len(decidable) < 300
    assert model_errors <= baseline_errors
    assert model_errors <= 0.02 * len(decidable)


def test_paired_comparison_counts_the_rows_only_one_side_gets_right():
    data = triage.Split(["a"] * 2, ["x", "y"], ["t1", "t2", "t3", "t4"], ["x", "x", "y", "y"], [])

    report = triage.score("label", data, ["x", "y", "x", "x"], ["y", "y", "y", "x"])

    assert (report.only_model_right, report.only_baseline_right) == (1, 1)
    assert report.p_worse == 0.75
    assert report.summary()["only_model_right"] == 1
    assert "only the baseline: 1" in triage.format_report(report)


def test_generated_tickets_say_whether_their_text_decides_the_label():
    tickets = generate(3000, seed=1)

    wrong = [t for t in tickets if t.category != t.topic]
    ties = [
        t
        for t in tickets
        if t.category == t.topic and t.distractor not in (None, t.topic) and not t.names_its_topic
    ]

    assert wrong and ties
    assert not any(t.decidable("category") for t in wrong + ties)
    assert sum(t.decidable("category") for t in tickets) == len(tickets) - len(wrong) - len(ties)
    # A tie between two categories of one team still decides the team.
    assert any(t.decidable("team") for t in ties)


def test_report_has_per_class_figures_and_a_confusion_matrix(tickets):
    report = triage.evaluate([t.text for t in tickets], [t.category for t in tickets])

    assert len(report.classes) == 11
    assert sum(row["support"] for row in report.per_class.values()) == 300
    assert sum(map(sum, report.confusion)) == 300
    assert sum(report.confusion[i][i] for i in range(11)) == round(report.accuracy * 300)
    text = triage.format_report(report)
    assert "macro-F1" in text and "Confusion matrix" in text


def test_prediction_names_the_category_with_confidence_and_the_words_behind_it(
    synthetic_classifier,
):
    # when
    predictions = synthetic_classifier.predict(
        "Принтер не печатает\nКартридж меняли, не помогло.", explain=5
    )

    # then
    category = predictions["category"]
    assert category.label == "printers"
    assert predictions["team"].label == "desktop"
    assert 0.8 <= category.confidence <= 1.0
    terms = [term.term for term in category.top_terms]
    assert "принтер" in terms
    assert all(term.weight > 0 for term in category.top_terms)
    assert len(category.alternatives) == 2 and "printers" not in category.alternatives


def test_transliterated_and_misspelt_tickets_are_understood(synthetic_classifier):
    assert synthetic_classifier.predict("printer ne pechataet")["category"].label == "printers"
    assert synthetic_classifier.predict("Ноутбкук не вкючается")["category"].label == "hardware"


def test_vague_text_gets_a_low_confidence(synthetic_classifier):
    sure = synthetic_classifier.predict("VPN не подключается, ошибка 809")["category"]
    vague = synthetic_classifier.predict("Помогите, пожалуйста")["category"]

    assert vague.confidence < 0.5 < sure.confidence


def test_stored_model_loads_back_and_predicts_the_same(synthetic_classifier):
    payload, digest = storage.dump(synthetic_classifier)

    loaded = storage.load(payload, digest)

    text = "Outlook не отправляет письма"
    assert loaded.predict(text) == synthetic_classifier.predict(text)


def test_stored_model_with_a_wrong_checksum_is_refused(synthetic_classifier):
    payload, digest = storage.dump(synthetic_classifier)

    with pytest.raises(storage.CorruptModel):
        storage.load(payload[:-1] + b"x", digest)


def test_split_keeps_single_example_classes_in_training_and_says_so():
    texts = [f"text {i}" for i in range(21)]
    labels = ["a"] * 10 + ["b"] * 10 + ["lonely"]

    parts = triage.split(texts, labels)

    assert "text 20" in parts.train_texts
    assert "lonely" not in parts.test_labels
    assert sorted(set(parts.test_labels)) == ["a", "b"]
    assert parts.notes and "lonely" in parts.notes[0]


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (["a"] * 12, "at least two classes"),
        ([str(i) for i in range(12)], "two or more examples"),
        (["a"] * 11 + ["b"], "two or more examples"),
    ],
)
def test_split_refuses_data_it_cannot_score(labels, message):
    with pytest.raises(triage.TriageDataError, match=message):
        triage.split([f"t{i}" for i in range(len(labels))], labels)


def test_split_refuses_too_few_rows_for_the_classes():
    labels = ["a", "a", "b", "b", "c", "c"]

    with pytest.raises(triage.TriageDataError, match=r"Too few rows \(6\)"):
        triage.split([f"t{i}" for i in range(6)], labels)
