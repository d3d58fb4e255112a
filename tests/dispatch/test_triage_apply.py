"""Auto-triage on new tickets: set when sure, suggest when not, never over a person's choice."""

import pytest

from helpline.config.schedule import job_named
from helpline.dispatch import services
from helpline.dispatch.models import TriageModel, TriagePrediction
from helpline.tickets import services as tickets
from helpline.tickets.models import Category, Ticket, TicketEvent
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db

PRINTER_PROBLEM = {"subject": "Принтер не печатает", "body": "Картридж меняли, не помогло."}


def open_ticket(personas, django_capture_on_commit_callbacks, **fields) -> Ticket:
    """A new ticket from the requester, with the after-commit subscribers run."""
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(personas.requester, **{**PRINTER_PROBLEM, **fields})
    return Ticket.objects.select_related("category", "team").get(pk=ticket.pk)


def test_confident_prediction_sets_category_and_team_recorded_as_done_by_triage(
    personas, active_model, triage_world, settings, django_capture_on_commit_callbacks
):
    # given
    settings.TRIAGE_AUTO_APPLY_CONFIDENCE = 0.8

    # when
    ticket = open_ticket(personas, django_capture_on_commit_callbacks)

    # then
    assert ticket.category == triage_world["printers"]
    assert ticket.team == triage_world["desktop"]
    events = TicketEvent.objects.filter(ticket=ticket, source="triage").order_by("field")
    assert [(e.kind, e.field, e.old_value, e.new_value, e.actor_id) for e in events] == [
        ("field_changed", "category", "", "Printers", None),
        ("team_changed", "team", "", "Desktop", None),
    ]
    assert events[0].reason.startswith(f"auto-triage v{active_model.version}, confidence 0.")
    predictions = {p.field: p for p in TriagePrediction.objects.filter(ticket=ticket)}
    assert sorted(predictions) == ["category", "priority", "team"]
    assert predictions["category"].predicted == "printers"
    assert predictions["category"].applied is True
    assert predictions["category"].confidence >= 0.8
    assert predictions["priority"].applied is False  # the priority is only ever suggested
    assert "принтер" in [term["term"] for term in predictions["category"].top_terms]


def test_below_the_threshold_triage_only_suggests(
    personas, active_model, triage_world, settings, django_capture_on_commit_callbacks
):
    # given
    settings.TRIAGE_AUTO_APPLY_CONFIDENCE = 1.01

    # when
    ticket = open_ticket(personas, django_capture_on_commit_callbacks)

    # then
    assert ticket.category is None and ticket.team is None
    assert not TicketEvent.objects.filter(ticket=ticket, source="triage").exists()
    suggestions = TriagePrediction.objects.filter(ticket=ticket)
    assert suggestions.count() == 3
    assert not suggestions.filter(applied=True).exists()
    assert suggestions.get(field="category").predicted == "printers"


def test_triage_never_overrides_a_category_someone_chose(
    personas, active_model, triage_world, settings, django_capture_on_commit_callbacks
):
    # given the requester picked a category (wrongly, as triage thinks)
    settings.TRIAGE_AUTO_APPLY_CONFIDENCE = 0.5
    chosen = triage_world["email"]

    # when
    ticket = open_ticket(personas, django_capture_on_commit_callbacks, category=chosen)

    # then the category stays; only the empty team is filled
    assert ticket.category == chosen
    assert list(
        TicketEvent.objects.filter(ticket=ticket, source="triage").values_list("field", flat=True)
    ) == ["team"]
    assert TriagePrediction.objects.get(ticket=ticket, field="category").applied is False


def test_triaging_a_ticket_twice_changes_nothing_the_second_time(
    personas, active_model, triage_world, settings
):
    settings.TRIAGE_AUTO_APPLY_CONFIDENCE = 0.5
    ticket = make_ticket(personas.requester, **PRINTER_PROBLEM)

    first = services.triage_ticket(ticket.pk)
    second = services.triage_ticket(ticket.pk)

    assert sorted(p.pk for p in first) == sorted(p.pk for p in second)
    assert TriagePrediction.objects.filter(ticket=ticket).count() == 3
    assert TicketEvent.objects.filter(ticket=ticket, source="triage").count() == 2


def test_without_a_trained_model_new_tickets_are_left_alone(
    personas, django_capture_on_commit_callbacks
):
    ticket = open_ticket(personas, django_capture_on_commit_callbacks)

    assert ticket.category is None
    assert not TriagePrediction.objects.exists()


def test_apply_triage_refuses_fields_other_than_category_and_team(personas):
    ticket = make_ticket(personas.requester)

    with pytest.raises(tickets.ServiceError, match="Triage may not set: priority"):
        tickets.apply_triage(ticket.pk, {"priority": "P1"}, confidence=0.9, model_version=1)


def test_an_agents_correction_is_the_label_the_next_training_learns(
    personas, active_model, triage_world, settings
):
    # given a history with three printer and two hardware tickets, and a ticket whose
    # category triage set while it is still open
    settings.TRIAGE_AUTO_APPLY_CONFIDENCE = 0.5
    for slug, count in (("printers", 3), ("hardware", 2)):
        for _ in range(count):
            make_ticket(personas.requester, category=triage_world[slug])
    ticket = make_ticket(personas.requester, **PRINTER_PROBLEM)
    services.triage_ticket(ticket.pk)
    assert Ticket.objects.get(pk=ticket.pk).category == triage_world["printers"]
    unconfirmed = services.load_history()
    row = unconfirmed.ticket_ids.index(ticket.pk)

    # when an agent corrects it
    tickets.update_ticket(personas.supervisor, ticket, {"category": triage_world["hardware"]})
    corrected = services.load_history()

    # then triage's unconfirmed guess was no label, the agent's correction is one
    assert unconfirmed.labels["category"][row] is None
    assert unconfirmed.labels["category"].count("printers") == 3
    assert corrected.labels["category"][row] == "hardware"
    assert corrected.texts[row] == "Принтер не печатает\nКартридж меняли, не помогло."


def test_training_on_the_history_stores_an_active_version_with_its_report(personas):
    # given a small history over three categories
    categories = [
        Category.objects.create(name=name, slug=name) for name in ("printing", "vpn", "email")
    ]
    texts = {
        "printing": ["Принтер не печатает", "Printer paper jam", "Картридж закончился"],
        "vpn": ["VPN не подключается", "VPN error 809", "Удаленный доступ не работает"],
        "email": ["Outlook не отправляет письма", "Mailbox is full", "Почта не приходит"],
    }
    for category in categories:
        for i in range(12):
            subject = texts[category.slug][i % 3]
            make_ticket(personas.requester, subject=f"{subject} {i}", body="", category=category)

    # when
    row = services.train_model(trigger="test")

    # then
    assert TriageModel.objects.get(is_active=True) == row
    assert row.version == 1
    assert row.fields == ["category"]
    assert row.metrics["_skipped"] == {  # no team set; every ticket has priority P3
        "team": "0 class(es) with 3+ labelled tickets",
        "priority": "1 class(es) with 3+ labelled tickets",
    }
    assert row.metrics["category"]["macro_f1"] == 1.0
    assert row.metrics["category"]["n_test"] == 8
    assert row.n_train + row.n_test == 36
    assert services.active_model().classifier.predict("VPN 809")["category"].label == "vpn"


def test_each_training_makes_a_new_version_and_keeps_only_the_last_five(
    synthetic_classifier, triage_world
):
    fitted = services.Fitted(classifier=synthetic_classifier, reports={})

    rows = [services.save_version(fitted, trigger="test") for _ in range(7)]

    assert [r.version for r in rows] == [1, 2, 3, 4, 5, 6, 7]
    assert list(TriageModel.objects.values_list("version", flat=True)) == [7, 6, 5, 4, 3]
    assert list(TriageModel.objects.filter(is_active=True).values_list("version", flat=True)) == [7]


def test_scheduled_retraining_skips_quietly_without_enough_history():
    job = job_named("triage-train")

    assert job.interval_seconds == 86400
    assert services.train_scheduled().startswith("skipped: Need at least 20 tickets")


def test_a_category_set_by_triage_brings_its_default_team_when_the_team_is_unsure(personas):
    # given a ticket without category or team, and a category that routes to a team
    ticket = make_ticket(personas.requester, subject="VPN", body="no tunnel")
    Ticket.objects.filter(pk=ticket.pk).update(category=None, team=None)
    category = Category.objects.create(
        name="VPN", slug="vpn-remote", default_team=personas.l2_agent.teams.first()
    )

    # when triage is sure of the category only
    applied = tickets.apply_triage(
        ticket.pk, {"category": category}, confidence=0.9, model_version=3
    )

    # then the category's default team takes the ticket, as on creation, recorded as such
    ticket.refresh_from_db()
    assert applied == ["category", "team"]
    assert ticket.team == category.default_team
    event = TicketEvent.objects.get(ticket=ticket, source="triage", field="team")
    assert event.reason == "default team of the category set by auto-triage v3"
