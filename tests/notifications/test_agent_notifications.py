"""Notifications to agents: @mentions in internal notes and SLA warnings/breaches."""

from __future__ import annotations

import pytest
from django.utils import timezone

from helpline.notifications.models import OutboundEmail
from helpline.notifications.services import expand_intents
from helpline.notifications.sla_alerts import on_sla_alert
from helpline.sla.events import SlaAlertRaised
from helpline.tickets import services
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def test_mention_in_a_note_emails_the_mentioned_agent_only(personas):
    ticket = make_ticket(personas.requester)
    expand_intents()
    OutboundEmail.objects.all().delete()

    services.add_message(
        personas.l1_agent,
        ticket,
        kind="note",
        body=f"@{personas.l2_agent.email} can you look at the driver? cc @{personas.requester.email}",
    )
    expand_intents()

    [email] = OutboundEmail.objects.all()
    assert email.to == personas.l2_agent.email
    assert email.subject == f"[#{ticket.number}] Alice L1 mentioned you"
    assert "can you look at the driver" in email.body_text


def test_sla_alert_emails_each_recipient_in_their_language_once(personas):
    ticket = make_ticket(personas.requester)
    services.assign_ticket(personas.l1_agent, ticket, assignee=personas.l1_agent)
    alert = SlaAlertRaised(
        alert_id=7,
        ticket_id=ticket.pk,
        metric="resolution",
        kind="breach",
        threshold=100,
        due_at=timezone.now(),
        recipient_ids=(personas.l1_agent.pk, personas.supervisor.pk),
    )

    assert on_sla_alert(alert) == 2
    assert on_sla_alert(alert) == 0

    emails = {e.to: e for e in OutboundEmail.objects.filter(dedupe_key__startswith="sla:")}
    assert set(emails) == {personas.l1_agent.email, personas.supervisor.email}
    assert (
        emails[personas.supervisor.email].subject
        == f"[#{ticket.number}] SLA breached: {ticket.subject}"
    )
    assert "Resolution" in emails[personas.supervisor.email].body_text
