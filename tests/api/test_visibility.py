"""Who sees which tickets, and that requesters never see an internal note anywhere."""

from __future__ import annotations

import pytest

from helpline.tickets import services
from helpline.tickets.attachments import IncomingFile
from tests.api.matrix_world import build_world
from tests.factories import PASSWORD, auth, make_ticket, token_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def tickets(personas) -> dict[str, int]:
    p = personas
    mine = make_ticket(p.requester, subject="mine", category=p.category)  # team L1
    colleagues = make_ticket(p.colleague, subject="colleague's", actor=p.l1_agent, team=p.l2_team)
    others = make_ticket(p.other_requester, subject="other's", actor=p.l1_agent, team=p.l3_team)
    pool = make_ticket(p.other_requester, subject="untriaged")  # no team yet
    assigned = make_ticket(
        p.other_requester,
        subject="assigned to L2 across teams",
        actor=p.l1_agent,
        team=p.l3_team,
        assignee=p.l2_agent,
    )
    return {
        "mine": mine.pk,
        "colleagues": colleagues.pk,
        "others": others.pk,
        "pool": pool.pk,
        "assigned": assigned.pk,
    }


VISIBLE = {
    "requester": {"mine", "colleagues"},
    "colleague": {"mine", "colleagues"},
    "other_requester": {"others", "pool", "assigned"},
    "l1_agent": {"mine", "pool"},
    "l2_agent": {"colleagues", "pool", "assigned"},
    "agent_other_team": {"others", "pool", "assigned"},
    "supervisor": {"mine", "colleagues", "others", "pool", "assigned"},
    "admin": {"mine", "colleagues", "others", "pool", "assigned"},
}


@pytest.mark.parametrize(("persona", "names"), VISIBLE.items())
def test_list_shows_each_persona_exactly_their_tickets(client, personas, tickets, persona, names):
    token = token_for(getattr(personas, persona))

    listed = client.get("/api/v1/tickets?limit=200", **auth(token)).json()["items"]

    assert {item["id"] for item in listed} == {tickets[name] for name in names}
    for name, pk in tickets.items():
        status = client.get(f"/api/v1/tickets/{pk}", **auth(token)).status_code
        assert status == (200 if name in names else 404), (persona, name)


def test_organization_that_does_not_share_keeps_tickets_private(client, personas, tickets):
    personas.organization.shares_tickets = False
    personas.organization.save()
    token = token_for(personas.requester)

    listed = client.get("/api/v1/tickets", **auth(token)).json()["items"]

    assert [item["id"] for item in listed] == [tickets["mine"]]
    assert client.get(f"/api/v1/tickets/{tickets['colleagues']}", **auth(token)).status_code == 404


def test_filters_cannot_widen_what_a_requester_sees(client, personas, tickets):
    token = token_for(personas.requester)

    for query in (
        f"requester={personas.other_requester.pk}",
        f"team={personas.l3_team.pk}",
        "assignee=none",
        "q=other",
    ):
        listed = client.get(f"/api/v1/tickets?{query}", **auth(token)).json()["items"]
        assert tickets["others"] not in {item["id"] for item in listed}, query


def test_deactivated_user_sees_nothing_even_with_a_session(client, personas, tickets):
    assert client.login(email=personas.requester.email, password=PASSWORD)
    personas.requester.is_active = False
    personas.requester.save()

    response = client.get(f"/api/v1/tickets/{tickets['mine']}")

    assert response.status_code == 401


@pytest.mark.parametrize("persona", ["requester", "colleague"])
def test_requester_never_gets_internal_notes(client, personas, persona):
    world = build_world(personas)
    services.add_attachment(
        personas.l1_agent,
        world.ticket,
        IncomingFile("diag.txt", b"internal diagnostics"),
        message=world.note,
    )
    token = token_for(getattr(personas, persona))
    base = f"/api/v1/tickets/{world.ticket.pk}"

    messages = client.get(f"{base}/messages", **auth(token)).json()
    history = client.get(f"{base}/history", **auth(token)).json()
    attachments = client.get(f"{base}/attachments", **auth(token)).json()

    assert [m["kind"] for m in messages] == ["reply", "reply"]
    assert all("VIP" not in m["body_text"] + m["body_html"] for m in messages)
    assert [a["filename"] for m in messages for a in m["attachments"]] == ["photo.png"]
    assert [e["kind"] for e in history] == ["created", "replied"]
    assert [a["filename"] for a in attachments] == ["photo.png"]
    for attachment in (world.note_attachment,):
        url = f"/api/v1/attachments/{attachment.pk}"
        assert client.get(url, **auth(token)).status_code == 404


def test_agent_sees_the_whole_conversation(client, personas):
    world = build_world(personas)
    token = token_for(personas.l1_agent)
    base = f"/api/v1/tickets/{world.ticket.pk}"

    messages = client.get(f"{base}/messages", **auth(token)).json()
    history = client.get(f"{base}/history", **auth(token)).json()
    attachments = client.get(f"{base}/attachments", **auth(token)).json()

    assert [m["kind"] for m in messages] == ["reply", "reply", "note"]
    assert [e["kind"] for e in history] == ["created", "replied", "note_added"]
    assert [a["filename"] for a in attachments] == ["photo.png", "vip-list.txt"]


def test_requester_cannot_post_an_internal_note_or_attach_to_one(client, personas):
    world = build_world(personas)
    token = token_for(personas.requester)
    count = world.ticket.messages.count()

    note = client.post(
        f"/api/v1/tickets/{world.ticket.pk}/messages",
        data={"body": "let me in", "kind": "note"},
        content_type="application/json",
        **auth(token),
    )

    assert note.status_code == 403
    assert note.json()["code"] == "forbidden"
    assert world.ticket.messages.count() == count


def test_message_count_does_not_reveal_internal_notes_to_requesters(client, personas):
    world = build_world(personas)  # two public replies and one internal note
    url = f"/api/v1/tickets/{world.ticket.pk}"

    def counts(persona: str) -> set[int]:
        token = token_for(getattr(personas, persona))
        listed = client.get("/api/v1/tickets", **auth(token)).json()["items"]
        shown = client.get(url, **auth(token)).json()
        return {item["message_count"] for item in listed if item["id"] == world.ticket.pk} | {
            shown["message_count"]
        }

    assert counts("requester") == {2}
    assert counts("colleague") == {2}
    assert counts("l1_agent") == {3}
    solved = client.patch(
        url,
        data='{"status": "solved"}',
        content_type="application/json",
        **auth(token_for(personas.requester)),
    )
    assert solved.json()["message_count"] == 2
