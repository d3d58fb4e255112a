"""GET /api/v1/tickets/{id}/triage: the predictions and their words, for agents only."""

import pytest

from helpline.dispatch import services
from tests.factories import auth, make_ticket, token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def triaged_ticket(personas, active_model, triage_world, settings):
    settings.TRIAGE_AUTO_APPLY_CONFIDENCE = 1.01  # suggestions only
    ticket = make_ticket(
        personas.requester, subject="VPN не подключается", body="Снова ошибка 809."
    )
    services.triage_ticket(ticket.pk)
    return ticket


def test_agent_sees_suggestions_with_confidence_and_top_terms(client, personas, triaged_ticket):
    # when
    response = client.get(
        f"/api/v1/tickets/{triaged_ticket.pk}/triage", **auth(token_for(personas.l1_agent))
    )

    # then
    assert response.status_code == 200
    body = response.json()
    assert body["ticket_id"] == triaged_ticket.pk
    assert body["threshold"] == 1.01
    assert [p["field"] for p in body["predictions"]] == ["category", "priority", "team"]
    category = body["predictions"][0]
    assert category["label"] == "vpn"
    assert category["display"] == "Vpn"
    assert category["applied"] is False
    assert category["matches_ticket"] is False
    assert 0.5 < category["confidence"] <= 1.0
    assert category["top_terms"][0]["term"] in {"vpn", "809", "ошибка"}
    assert body["predictions"][2]["display"] == "Network"


def test_ticket_without_predictions_answers_an_empty_list(client, personas):
    ticket = make_ticket(personas.requester)

    response = client.get(
        f"/api/v1/tickets/{ticket.pk}/triage", **auth(token_for(personas.supervisor))
    )

    assert response.status_code == 200
    assert response.json()["predictions"] == []
    assert response.json()["model_version"] is None


@pytest.mark.parametrize("persona", ["requester", "colleague", "other_requester"])
def test_requesters_get_not_found_even_for_their_own_ticket(
    client, personas, triaged_ticket, persona
):
    user = getattr(personas, persona)

    response = client.get(f"/api/v1/tickets/{triaged_ticket.pk}/triage", **auth(token_for(user)))

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_anonymous_gets_401(client, triaged_ticket):
    response = client.get(f"/api/v1/tickets/{triaged_ticket.pk}/triage")

    assert response.status_code == 401


def test_triage_panel_shows_agents_the_suggestion_and_its_words(rf, personas, triaged_ticket):
    from django.template import Context, Template

    template = Template("{% load triage %}{% triage_panel ticket %}")
    request = rf.get("/")

    request.user = personas.l1_agent
    for_agent = template.render(Context({"request": request, "ticket": triaged_ticket}))
    request.user = personas.requester
    for_requester = template.render(Context({"request": request, "ticket": triaged_ticket}))

    assert "Auto-triage" in for_agent and "Vpn" in for_agent and "<q>vpn</q>" in for_agent
    assert "suggestion" in for_agent
    assert for_requester.strip() == ""
