"""Duplicate detection: exact duplicates merge, close matches are flagged for an agent."""

from __future__ import annotations

import pytest

from helpline.dispatch.duplicates import _vector, cosine, find_matches
from helpline.tickets.models import Ticket, TicketLink
from tests.factories import make_ticket

# Detection runs after commit, in the background task: commit for real.
pytestmark = pytest.mark.django_db(transaction=True)


def test_exact_resubmission_is_merged_into_the_first_ticket(personas):
    first = make_ticket(
        personas.requester, subject="Printer jam", body="Printer on floor 3 jams every page"
    )

    again = make_ticket(
        personas.requester, subject="Printer jam", body="Printer on floor 3 jams  every page"
    )

    again = Ticket.objects.get(pk=again.pk)
    assert again.merged_into_id == first.pk
    assert again.status == "closed"
    assert Ticket.objects.get(pk=first.pk).message_count == 2


def test_close_match_of_the_same_requester_is_linked_and_flagged(personas):
    first = make_ticket(
        personas.requester,
        subject="Принтер не печатает",
        body="Принтер на третьем этаже не печатает, горит красная лампа",
    )

    second = make_ticket(
        personas.requester,
        subject="Опять принтер",
        body="Принтеры на третьем этаже снова не печатают, красная лампа горит",
    )

    assert TicketLink.objects.filter(
        source_id=second.pk, target_id=first.pk, kind="related"
    ).exists()
    note = Ticket.objects.get(pk=second.pk).messages.get(kind="note")
    assert note.body_text.startswith(
        f"Possible duplicate of #{first.number} (the same requester's open ticket"
    )
    assert Ticket.objects.get(pk=second.pk).merged_into_id is None


def test_unrelated_tickets_are_left_alone(personas):
    make_ticket(personas.requester, subject="VPN error 809", body="VPN does not connect from home")

    other = make_ticket(
        personas.requester,
        subject="New keyboard",
        body="Please order a keyboard with Cyrillic keys",
    )

    assert not TicketLink.objects.filter(source_id=other.pk).exists()
    assert Ticket.objects.get(pk=other.pk).messages.count() == 1


def test_recent_ticket_of_another_requester_on_the_same_topic_matches_only_when_very_close(
    personas,
):
    first = make_ticket(
        personas.requester,
        subject="Outlook asks for password",
        category=personas.category,
        body="Outlook keeps asking for my password since this morning",
    )
    same = make_ticket(
        personas.colleague,
        subject="Outlook asks for password",
        category=personas.category,
        body="Outlook keeps asking for the password since this morning",
    )

    matches = find_matches(Ticket.objects.get(pk=same.pk))

    assert [m.ticket_id for m in matches] == [first.pk]
    assert matches[0].same_requester is False and matches[0].exact is False


def test_cosine_of_stemmed_words_ignores_inflection():
    assert cosine(_vector("принтер не печатает"), _vector("принтеры не печатают")) == pytest.approx(
        1.0
    )
