"""Escalation L1 -> L2 -> L3 and back, with a required reason and a handoff note."""

import json

import pytest

from helpline.core.problems import ServiceError
from helpline.tickets import services
from helpline.tickets.models import TicketEvent
from tests.factories import auth, make_ticket, token_for

pytestmark = pytest.mark.django_db


def test_escalation_moves_team_and_tier_records_reason_and_keeps_handoff_note(personas):
    ticket = make_ticket(personas.requester, category=personas.category)
    services.assign_ticket(personas.l1_agent, ticket, assignee=personas.l1_agent)

    services.escalate_ticket(
        personas.l1_agent,
        ticket,
        tier="L2",
        reason="needs admin rights",
        note="Tried reinstalling the driver; spooler crashes.",
    )

    ticket.refresh_from_db()
    assert (ticket.team, ticket.tier, ticket.assignee) == (personas.l2_team, "L2", None)
    changes = {
        e.field: (e.old_value, e.new_value, e.reason)
        for e in TicketEvent.objects.filter(ticket=ticket, source="escalation")
    }
    assert changes["tier"] == ("L1", "L2", "needs admin rights")
    assert changes["team"] == ("L1 Service Desk", "L2 Desktop", "needs admin rights")
    note = ticket.messages.get(kind="note")
    assert note.body_text == "Tried reinstalling the driver; spooler crashes."


def test_escalation_without_reason_is_refused_and_changes_nothing(personas):
    ticket = make_ticket(personas.requester, category=personas.category)

    with pytest.raises(ServiceError) as error:
        services.escalate_ticket(personas.l1_agent, ticket, tier="L2", reason="  ")

    assert error.value.code == "reason-required"
    ticket.refresh_from_db()
    assert ticket.tier == "L1" and ticket.events.count() == 1


def test_de_escalation_back_to_l1(personas):
    ticket = make_ticket(personas.requester, category=personas.category)
    services.escalate_ticket(personas.l1_agent, ticket, tier="L3", reason="server side")

    services.escalate_ticket(
        personas.agent_other_team, ticket, tier="L1", reason="user-side fix, back to desk"
    )

    ticket.refresh_from_db()
    assert (ticket.team, ticket.tier) == (personas.l1_team, "L1")


def test_escalate_endpoint(client, personas):
    ticket = make_ticket(personas.requester, category=personas.category)

    response = client.post(
        f"/api/v1/tickets/{ticket.pk}/escalate",
        data=json.dumps(
            {"tier": "L2", "reason": "hardware fault", "note": "Fan noise, overheating"}
        ),
        content_type="application/json",
        **auth(token_for(personas.l1_agent)),
    )

    assert response.status_code == 200
    assert response.json()["tier"] == "L2"
    assert response.json()["team"]["name"] == "L2 Desktop"


def test_requesters_cannot_escalate(client, personas):
    ticket = make_ticket(personas.requester, category=personas.category)

    response = client.post(
        f"/api/v1/tickets/{ticket.pk}/escalate",
        data=json.dumps({"tier": "L3", "reason": "I want the experts"}),
        content_type="application/json",
        **auth(token_for(personas.requester)),
    )

    assert response.status_code == 403
    assert ticket.events.count() == 1


def test_split_opens_a_child_ticket_from_one_message(client, personas):
    ticket = make_ticket(personas.requester, category=personas.category)
    second = services.add_message(personas.requester, ticket, body="Also, my monitor flickers.")

    response = client.post(
        f"/api/v1/tickets/{ticket.pk}/messages/{second.pk}/split",
        data=json.dumps({"subject": "Monitor flickers"}),
        content_type="application/json",
        **auth(token_for(personas.l1_agent)),
    )

    assert response.status_code == 201
    new = response.json()
    assert (new["subject"], new["requester"]["id"]) == ("Monitor flickers", personas.requester.pk)
    from helpline.tickets.models import Message, TicketLink

    assert Message.objects.get(ticket_id=new["id"]).body_text == "Also, my monitor flickers."
    assert TicketLink.objects.filter(source=ticket, target_id=new["id"], kind="parent").exists()
    assert ticket.messages.filter(
        kind="note", body_text__startswith=f"Split into #{new['number']}"
    ).exists()


def test_requesters_cannot_split(client, personas):
    ticket = make_ticket(personas.requester)
    message = ticket.messages.get()

    response = client.post(
        f"/api/v1/tickets/{ticket.pk}/messages/{message.pk}/split",
        data="{}",
        content_type="application/json",
        **auth(token_for(personas.requester)),
    )

    assert response.status_code == 403
