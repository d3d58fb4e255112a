"""The requester portal through the Django test client."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from helpline.tickets import services
from helpline.tickets.choices import MessageKind, Status
from helpline.tickets.custom_fields import forget_definitions
from helpline.tickets.models import CustomField, SatisfactionRating, Ticket, TicketEvent
from tests.factories import make_ticket

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_requester_opening_another_requesters_ticket_gets_404(personas):
    ticket = make_ticket(personas.requester)
    client = _client(personas.other_requester)
    assert client.get(f"/portal/t/{ticket.number}/").status_code == 404
    assert client.post(f"/portal/t/{ticket.number}/reply/", {"body": "hi"}).status_code == 404
    assert client.post(f"/portal/t/{ticket.number}/solve/").status_code == 404
    assert client.post(f"/portal/t/{ticket.number}/rate/", {"score": 1}).status_code == 404
    ticket.refresh_from_db()
    assert (ticket.message_count, ticket.status) == (1, "new")


def test_colleague_sees_organization_tickets_as_shared(personas):
    make_ticket(personas.requester, subject="Shared printer problem")
    page = _client(personas.colleague).get("/portal/").content.decode()
    assert "Shared in my organization" in page
    assert "Shared printer problem" in page


def test_internal_notes_never_reach_the_portal(personas):
    ticket = make_ticket(personas.requester)
    services.add_message(personas.l1_agent, ticket, body="Secret note", kind=MessageKind.NOTE)
    services.add_message(personas.l1_agent, ticket, body="Public answer")
    page = _client(personas.requester).get(f"/portal/t/{ticket.number}/").content.decode()
    assert "Public answer" in page
    assert "Secret note" not in page


def test_agents_are_sent_from_the_portal_to_the_workspace(personas):
    response = _client(personas.l1_agent).get("/portal/")
    assert response["Location"] == "/tickets/"


def test_submit_a_request_with_category_custom_fields_and_attachment(personas):
    CustomField.objects.create(
        key="asset_tag",
        label="Asset tag",
        label_ru="Инвентарный номер",
        field_type="text",
        required=True,
        category=personas.category,
    )
    forget_definitions()
    client = _client(personas.requester)
    fields = client.get(f"/portal/new/fields/?category={personas.category.pk}").content.decode()
    assert 'name="cf_asset_tag"' in fields
    # a missing required custom field is a form error, and nothing is created
    data = {"category": personas.category.pk, "subject": "Printer", "body": "Jams"}
    response = client.post("/portal/new/", data)
    assert response.status_code == 200
    assert Ticket.objects.count() == 0
    upload = SimpleUploadedFile("photo.png", b"\x89PNG fake", content_type="image/png")
    response = client.post("/portal/new/", {**data, "cf_asset_tag": "PC-42", "attachments": upload})
    ticket = Ticket.objects.get()
    assert response["Location"] == f"/portal/t/{ticket.number}/"
    assert (ticket.channel, ticket.custom_fields, ticket.requester_id) == (
        "portal",
        {"asset_tag": "PC-42"},
        personas.requester.pk,
    )
    assert ticket.attachments.get().filename == "photo.png"


def test_reply_solve_reopen_and_rate(personas):
    ticket = make_ticket(personas.requester)
    services.add_message(personas.l1_agent, ticket, body="Try again", status=Status.PENDING)
    client = _client(personas.requester)
    client.post(f"/portal/t/{ticket.number}/reply/", {"body": "Still broken"})
    ticket.refresh_from_db()
    assert ticket.status == "open"
    # rating is refused before the ticket is solved
    client.post(f"/portal/t/{ticket.number}/rate/", {"score": 5})
    assert not SatisfactionRating.objects.exists()
    client.post(f"/portal/t/{ticket.number}/solve/")
    ticket.refresh_from_db()
    assert ticket.status == "solved"
    client.post(f"/portal/t/{ticket.number}/rate/", {"score": 4, "comment": "Good"})
    rating = SatisfactionRating.objects.get(ticket=ticket)
    assert (rating.score, rating.comment, rating.rated_by_id) == (4, "Good", personas.requester.pk)
    event = TicketEvent.objects.filter(ticket=ticket, field="satisfaction").get()
    assert (event.new_value, event.reason) == ("4", "Good")
    agent_page = _client(personas.l1_agent).get(f"/tickets/{ticket.number}/").content.decode()
    assert "4/5" in agent_page
    client.post(f"/portal/t/{ticket.number}/reopen/")
    ticket.refresh_from_db()
    assert ticket.status == "open"


def test_colleague_cannot_rate_a_shared_ticket(personas):
    ticket = make_ticket(personas.requester)
    services.change_status(personas.l1_agent, ticket, Status.SOLVED)
    _client(personas.colleague).post(f"/portal/t/{ticket.number}/rate/", {"score": 1})
    assert not SatisfactionRating.objects.exists()


def test_colleague_cannot_solve_or_reopen_a_shared_ticket(personas):
    ticket = make_ticket(personas.requester)
    colleague = _client(personas.colleague)
    colleague.post(f"/portal/t/{ticket.number}/solve/")
    ticket.refresh_from_db()
    assert ticket.status != Status.SOLVED
    services.change_status(personas.l1_agent, ticket, Status.SOLVED)
    colleague.post(f"/portal/t/{ticket.number}/reopen/")
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED


def test_portal_in_russian(personas):
    personas.requester.language = "ru"
    personas.requester.save()
    page = _client(personas.requester).get("/portal/").content.decode()
    assert 'lang="ru"' in page
