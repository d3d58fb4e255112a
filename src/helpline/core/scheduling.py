"""The scheduler: claims each periodic job's slot once, then enqueues it for the workers."""

from __future__ import annotations

import datetime as dt
import logging
import socket
import time
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from helpline.config.schedule import SCHEDULE, PeriodicJob, job_named
from helpline.core.models import ScheduledRun

logger = logging.getLogger(__name__)


def slot_of(job: PeriodicJob, now: dt.datetime) -> int:
    return int(now.timestamp()) // job.interval_seconds


def claim(job: PeriodicJob, slot: int, who: str = "") -> bool:
    """True if this caller won the slot; False if another scheduler already has it."""
    try:
        with transaction.atomic():
            ScheduledRun.objects.create(job=job.name, slot=slot, claimed_by=who[:200])
        return True
    except IntegrityError:
        return False


def tick(now: dt.datetime | None = None, who: str = "") -> list[str]:
    """Enqueue every job whose current slot nobody has claimed yet; returns their names."""
    from helpline.core.tasks import run_periodic_job

    now = now or timezone.now()
    enqueued = []
    for job in SCHEDULE:
        if claim(job, slot_of(job, now), who):
            transaction.on_commit(lambda name=job.name: run_periodic_job.enqueue(name))
            enqueued.append(job.name)
    return enqueued


def run_job(name: str) -> Any:
    job = job_named(name)
    started = time.monotonic()
    result = import_string(job.function)()
    logger.info("periodic job %s finished in %.2fs: %r", name, time.monotonic() - started, result)
    return result


def run_forever(poll_seconds: float = 5.0, stop=None, sleep=time.sleep) -> None:
    who = f"{socket.gethostname()}:{id(object())}"
    logger.info("scheduler started with %d jobs", len(SCHEDULE))
    while stop is None or not stop():
        try:
            names = tick(who=who)
            if names:
                logger.info("enqueued %s", ", ".join(names))
        except Exception:
            logger.exception("scheduler tick failed; trying again")
        sleep(poll_seconds)


def prune_ledger() -> int:
    cutoff = timezone.now() - dt.timedelta(days=2)
    deleted, _ = ScheduledRun.objects.filter(claimed_at__lt=cutoff).delete()
    return deleted
