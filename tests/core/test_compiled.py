"""helpline.core.compiled: cached SQL that behaves like the ORM calls it replaces."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from helpline.accounts.models import ApiToken, Organization, User, hash_token
from helpline.core.compiled import CompiledQuery, insert
from helpline.tickets.models import TicketEvent
from tests.factories import make_ticket, make_user, record_saves, token_for

pytestmark = pytest.mark.django_db

TOKEN_BY_HASH = CompiledQuery(
    lambda key_hash: ApiToken.objects.select_related("user", "user__organization").filter(
        key_hash=key_hash
    ),
    key_hash="sample",
)


def test_compiled_query_loads_the_row_and_its_related_rows_in_one_query(
    django_assert_num_queries,
):
    organization = Organization.objects.create(name="Acme", domain="acme.example")
    user = make_user("rita@acme.example", organization=organization)
    raw = token_for(user, scopes=["tickets:read"])

    with django_assert_num_queries(1):
        token = TOKEN_BY_HASH.first(key_hash=hash_token(raw))
        assert token.user.organization.name == "Acme"

    expected = ApiToken.objects.get(key_hash=hash_token(raw))
    assert token == expected
    assert token.scopes == ["tickets:read"]
    assert token.created_at == expected.created_at
    assert token.created_at.tzinfo is not None
    assert token._state.adding is False


def test_compiled_query_answers_none_for_no_row_and_fills_null_relations():
    user = make_user("oscar@other.example")
    raw = token_for(user)

    assert TOKEN_BY_HASH.first(key_hash="0" * 64) is None
    assert TOKEN_BY_HASH.first(key_hash=hash_token(raw)).user.organization is None


def test_compiled_query_refuses_values_of_another_type():
    by_id = CompiledQuery(lambda pk: User.objects.filter(pk=pk), pk=-1)

    with pytest.raises(TypeError):
        by_id.first(pk="1")


def test_insert_writes_what_save_writes():
    ticket = make_ticket(make_user())
    actor = make_user("alice@helpline.test", role="agent")
    at = timezone.now() - dt.timedelta(minutes=5)
    fast = insert(
        TicketEvent(ticket=ticket, actor=actor, kind="created", new_value="1", created_at=at)
    )
    slow = TicketEvent(ticket=ticket, actor=actor, kind="created", new_value="1", created_at=at)
    slow.save(force_insert=True)

    assert fast.pk is not None and fast._state.adding is False
    stored = TicketEvent.objects.filter(pk__in=[fast.pk, slow.pk]).values()
    fast_row, slow_row = sorted(stored, key=lambda row: row["id"])
    assert {k: v for k, v in fast_row.items() if k != "id"} == {
        k: v for k, v in slow_row.items() if k != "id"
    }


def test_insert_with_an_explicit_id_or_signal_receivers_goes_through_save():
    ticket = make_ticket(make_user())
    received = []

    def receiver(sender, instance, created, **kwargs):
        received.append((instance.pk, created))

    post_save.connect(receiver, sender=TicketEvent)
    try:
        event = insert(TicketEvent(ticket=ticket, kind="created"))
    finally:
        post_save.disconnect(receiver, sender=TicketEvent)
    explicit = insert(TicketEvent(pk=event.pk + 1000, ticket=ticket, kind="created"))

    assert received == [(event.pk, True)]
    assert TicketEvent.objects.filter(pk=explicit.pk).exists()


def test_insert_skips_save_only_for_the_pre_save_receivers_the_caller_applied(monkeypatch):
    ticket = make_ticket(make_user())
    calls = []

    def stamp(sender, instance, **kwargs):
        calls.append(instance.kind)

    def other(sender, instance, **kwargs):
        calls.append("other")

    record_saves(monkeypatch, TicketEvent, calls)
    pre_save.connect(stamp, sender=TicketEvent)
    try:
        insert(TicketEvent(ticket=ticket, kind="created"), applied=(stamp,))
        assert calls == []  # the fast path: neither save() nor the receiver ran
        pre_save.connect(other, sender=TicketEvent)
        try:
            insert(TicketEvent(ticket=ticket, kind="created"), applied=(stamp,))
        finally:
            pre_save.disconnect(other, sender=TicketEvent)
    finally:
        pre_save.disconnect(stamp, sender=TicketEvent)

    assert calls == ["save", "created", "other"]  # an unlisted receiver: through save()


def test_insert_stores_choice_members_as_their_values():
    from helpline.tickets.choices import EventKind

    ticket = make_ticket(make_user())
    event = insert(TicketEvent(ticket=ticket, kind=EventKind.CREATED, new_value="1"))

    stored = TicketEvent.objects.filter(pk=event.pk).values_list("kind", flat=True).get()
    assert stored == EventKind.CREATED.value and type(stored) is str


def test_computed_fields_are_evaluated_in_the_insert_and_returned():
    ticket = make_ticket(make_user())
    event = insert(
        TicketEvent(ticket=ticket, kind="created"), computed={"new_value": "'com' || 'puted'"}
    )

    assert event.new_value == "computed"
    assert TicketEvent.objects.get(pk=event.pk).new_value == "computed"


def test_computed_fields_on_the_slow_path_are_evaluated_before_save():
    ticket = make_ticket(make_user())
    received = []

    def receiver(sender, instance, **kwargs):
        received.append(instance.new_value)

    post_save.connect(receiver, sender=TicketEvent)
    try:
        event = insert(
            TicketEvent(ticket=ticket, kind="created"), computed={"new_value": "'com' || 'puted'"}
        )
    finally:
        post_save.disconnect(receiver, sender=TicketEvent)

    assert received == ["computed"]
    assert TicketEvent.objects.get(pk=event.pk).new_value == "computed"


def test_computing_a_field_the_model_does_not_have_is_refused():
    ticket = make_ticket(make_user())
    with pytest.raises(ValueError, match="cannot compute"):
        insert(TicketEvent(ticket=ticket, kind="created"), computed={"colour": "'red'"})
