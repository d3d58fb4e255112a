"""The worker's task for a ticket change is queued inside the change's transaction."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from helpline.tickets import events
from helpline.tickets.models import Ticket
from tests.factories import make_ticket, make_user, record_saves

pytestmark = pytest.mark.django_db

DATABASE_QUEUE = {
    "default": {
        "BACKEND": "helpline.core.task_backend.DatabaseBackend",
        "QUEUES": ["default", "mail"],
    }
}


@override_settings(TASKS=DATABASE_QUEUE)
def test_task_row_is_written_before_commit(django_capture_on_commit_callbacks):
    requester = make_user()

    with django_capture_on_commit_callbacks(execute=False):
        ticket = make_ticket(requester)
        queued = list(DBTaskResult.objects.values_list("task_path", "args_kwargs"))

    assert queued == [
        (
            "helpline.tickets.tasks.deliver_ticket_change",
            {
                "args": [
                    {
                        "kind": "created",
                        "ticket_id": ticket.pk,
                        "actor_id": requester.pk,
                        "fields": [],
                        "message_id": ticket.messages.get().pk,
                        "extra": {"requester_id": requester.pk, "suppress_autoreply": False},
                    }
                ],
                "kwargs": {},
            },
        )
    ]


@override_settings(TASKS=DATABASE_QUEUE)
def test_task_row_rolls_back_with_the_ticket():
    requester = make_user()

    with pytest.raises(RuntimeError), transaction.atomic():
        make_ticket(requester)
        raise RuntimeError("the caller's transaction fails after the ticket")

    assert not Ticket.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_with_the_immediate_backend_subscribers_run_after_commit(
    django_capture_on_commit_callbacks,
):
    delivered = []
    events.subscribe(delivered.append)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            ticket = make_ticket(make_user())
        assert delivered == []
        for callback in callbacks:
            callback()
    finally:
        events.unsubscribe(delivered.append)

    assert [(change.kind, change.ticket_id) for change in delivered] == [("created", ticket.pk)]
    assert not DBTaskResult.objects.exists()


@override_settings(TASKS=DATABASE_QUEUE)
def test_task_row_is_the_row_django_tasks_db_writes(monkeypatch):
    from django_tasks_db import DatabaseBackend as UpstreamBackend

    from helpline.tickets.tasks import deliver_ticket_change

    saves = []
    record_saves(monkeypatch, DBTaskResult, saves)
    ours = deliver_ticket_change.enqueue({"kind": "created", "ticket_id": 1})
    assert saves == []  # the compiled INSERT, not Model.save()
    upstream = UpstreamBackend("default", DATABASE_QUEUE["default"] | {"OPTIONS": {}})
    theirs = upstream.enqueue(deliver_ticket_change, ({"kind": "created", "ticket_id": 1},), {})

    columns = [f.attname for f in DBTaskResult._meta.concrete_fields if f.attname != "id"]
    rows = {str(row.pop("id")): row for row in DBTaskResult.objects.values("id", *columns)}
    ours_row, theirs_row = rows[str(ours.id)], rows[str(theirs.id)]
    for row in (ours_row, theirs_row):
        row.pop("enqueued_at")
    assert ours_row == theirs_row
    assert ours_row["run_after"].year == 9999  # "any time", as upstream's receiver sets it
