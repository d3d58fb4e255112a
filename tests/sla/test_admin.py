"""SLA configuration in the Django admin: pages render, saving takes effect at once."""

from __future__ import annotations

import pytest

from helpline.accounts.models import User
from helpline.sla.models import SlaPolicy, TicketSla
from tests.factories import make_ticket
from tests.sla.conftest import office_calendar

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(client):
    user = User.objects.create_superuser(email="root@helpline.test", password="x-long-password-1")
    client.force_login(user)
    return user


@pytest.mark.parametrize(
    "path",
    [
        "/admin/sla/slapolicy/",
        "/admin/sla/businesscalendar/",
        "/admin/sla/ticketsla/",
        "/admin/sla/slaalert/",
        "/admin/sla/slapolicy/add/",
        "/admin/sla/businesscalendar/add/",
    ],
)
def test_admin_pages_render(client, root, path):
    assert client.get(path).status_code == 200


def test_calendar_edit_page_shows_hours_inline(client, root):
    calendar = office_calendar()

    response = client.get(f"/admin/sla/businesscalendar/{calendar.pk}/change/")

    assert response.status_code == 200
    assert "09:00" in response.content.decode()


def test_reapply_action_recomputes_open_tickets(
    client, root, personas, django_capture_on_commit_callbacks
):
    ticket = make_ticket(personas.requester)  # created without its SLA (events not delivered)
    policy = SlaPolicy.objects.get(is_default=True)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/sla/slapolicy/",
            {"action": "reapply_to_open_tickets", "_selected_action": [policy.pk]},
        )

    assert response.status_code == 302
    assert TicketSla.objects.get(ticket=ticket).policy_name == "Default"
