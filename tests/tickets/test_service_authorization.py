"""Authorisation lives in the selectors and services: callers other than the API get it too."""

from __future__ import annotations

import pytest

from helpline.core.problems import Forbidden, NotFound
from helpline.tickets import selectors, services
from helpline.tickets.attachments import IncomingFile
from tests.api.matrix_world import build_world, snapshot

pytestmark = pytest.mark.django_db

OUTSIDERS = ("other_requester", "l2_agent", "agent_other_team")


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_selectors_hide_the_ticket_and_its_files_from_outsiders(personas, persona):
    world = build_world(personas)
    user = getattr(personas, persona)

    with pytest.raises(NotFound):
        selectors.get_ticket(user, world.ticket.pk)
    with pytest.raises(NotFound):
        selectors.get_ticket_by_number(user, world.ticket.number)
    with pytest.raises(NotFound):
        selectors.get_attachment(user, world.public_attachment.pk)


@pytest.mark.parametrize(
    "action",
    [
        lambda w, u: services.add_message(u, w.ticket, body="let me in"),
        lambda w, u: services.update_ticket(u, w.ticket, {"status": "solved"}),
        lambda w, u: services.add_attachment(u, w.ticket, IncomingFile("x.txt", b"x")),
    ],
    ids=["add_message", "update_ticket", "add_attachment"],
)
def test_services_refuse_a_requester_on_someone_elses_ticket(personas, action):
    world = build_world(personas)
    before = snapshot()

    with pytest.raises(NotFound):
        action(world, personas.other_requester)

    assert snapshot() == before


@pytest.mark.parametrize(
    "action",
    [
        lambda w, u: services.update_ticket(u, w.ticket, {"impact": "high"}),
        lambda w, u: services.merge_tickets(u, w.ticket, w.second_ticket),
        lambda w, u: services.link_tickets(u, w.ticket, w.second_ticket, "related"),
    ],
    ids=["update_ticket", "merge_tickets", "link_tickets"],
)
def test_services_refuse_an_agent_outside_the_team(personas, action):
    world = build_world(personas)
    before = snapshot()

    with pytest.raises(NotFound):
        action(world, personas.agent_other_team)

    assert snapshot() == before


@pytest.mark.parametrize(
    "action",
    [
        lambda w, u: services.add_message(u, w.ticket, body="psst", kind="note"),
        lambda w, u: services.update_ticket(u, w.ticket, {"priority": "P1"}),
        lambda w, u: services.merge_tickets(u, w.ticket, w.second_ticket),
        lambda w, u: services.assign_ticket(u, w.ticket, assignee=u),
    ],
    ids=["note", "priority", "merge", "assign"],
)
def test_services_refuse_agent_work_to_the_requester(personas, action):
    world = build_world(personas)
    before = snapshot()

    with pytest.raises(Forbidden):
        action(world, personas.requester)

    assert snapshot() == before


def test_selectors_strip_internal_notes_for_requesters(personas):
    world = build_world(personas)

    for user in (personas.requester, personas.colleague):
        assert [m.kind for m in selectors.messages_for(user, world.ticket)] == ["reply", "reply"]
        assert "note_added" not in [e.kind for e in selectors.history_for(user, world.ticket)]
        assert [a.filename for a in selectors.attachments_for(user, world.ticket)] == ["photo.png"]
        with pytest.raises(NotFound):
            selectors.get_attachment(user, world.note_attachment.pk)
    assert selectors.get_attachment(personas.l1_agent, world.note_attachment.pk).pk == (
        world.note_attachment.pk
    )
