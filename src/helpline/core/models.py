"""Shared infrastructure rows."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class ScheduledRun(models.Model):
    """A claim on one run of a periodic job in one time slot.

    The unique constraint is what makes the schedule run each job once per slot, however
    many schedulers are running, on SQLite or PostgreSQL.
    """

    job = models.CharField(max_length=100)
    slot = models.BigIntegerField(help_text="Seconds since the epoch divided by the job's interval")
    claimed_at = models.DateTimeField(default=timezone.now)
    claimed_by = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="unique_job_slot")]
        indexes = [models.Index(fields=["claimed_at"], name="scheduledrun_claimed_idx")]

    def __str__(self) -> str:
        return f"{self.job}@{self.slot}"
