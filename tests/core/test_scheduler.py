"""The periodic schedule: each job runs once per slot, however many schedulers tick."""

import datetime as dt

import pytest
from django.utils import timezone

from helpline.config.schedule import SCHEDULE
from helpline.core import scheduling
from helpline.core.models import ScheduledRun

pytestmark = pytest.mark.django_db(transaction=True)


def test_two_schedulers_in_the_same_slot_enqueue_each_job_once(monkeypatch):
    ran = []
    monkeypatch.setattr(scheduling, "run_job", lambda name: ran.append(name))
    # at the start of an hour, so one second later is still every job's same slot
    now = timezone.now().replace(minute=0, second=0, microsecond=0)

    first = scheduling.tick(now, who="a")
    second = scheduling.tick(now + dt.timedelta(seconds=1), who="b")

    assert sorted(first) == sorted(job.name for job in SCHEDULE)
    assert second == []
    assert ScheduledRun.objects.count() == len(SCHEDULE)
    assert sorted(ran) == sorted(first)


def test_next_slot_runs_again(monkeypatch):
    monkeypatch.setattr(scheduling, "run_job", lambda name: None)
    now = timezone.now()
    scheduling.tick(now)

    later = scheduling.tick(now + dt.timedelta(hours=1, seconds=1))

    assert "close-solved-tickets" in later


def test_jobs_command_runs_a_job_by_name(capsys):
    from django.core.management import call_command

    call_command("jobs", "run", "close-solved-tickets")

    assert "close-solved-tickets: 0" in capsys.readouterr().out
