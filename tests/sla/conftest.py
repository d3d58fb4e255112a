"""SLA fixtures: a fresh configuration snapshot per test, and builders for policies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from helpline.sla.models import BusinessCalendar, SlaPolicy, SlaTarget, WorkingHours
from helpline.sla.policies import forget_config
from helpline.sla.services import ensure_default_policy


@pytest.fixture(autouse=True)
def _fresh_sla_config(db) -> Iterator[None]:
    ensure_default_policy()  # a flushing (transactional) test may have removed the seed
    forget_config()
    yield
    forget_config()


def office_calendar(name: str = "Moscow office", **fields) -> BusinessCalendar:
    """Mon-Fri 09:00-18:00 in Moscow, no public holidays unless asked."""
    fields.setdefault("time_zone", "Europe/Moscow")
    calendar = BusinessCalendar.objects.create(name=name, **fields)
    WorkingHours.objects.bulk_create(
        WorkingHours(calendar=calendar, weekday=day, start_time=dt.time(9), end_time=dt.time(18))
        for day in range(5)
    )
    return calendar


def make_policy(
    name: str,
    calendar: BusinessCalendar,
    *,
    targets: dict[str, tuple[int | None, int | None, int | None]] | None = None,
    **fields,
) -> SlaPolicy:
    """A policy with (first response, next response, resolution) minutes per priority."""
    policy = SlaPolicy.objects.create(name=name, calendar=calendar, **fields)
    targets = targets or {"P3": (120, 120, 600)}
    SlaTarget.objects.bulk_create(
        SlaTarget(
            policy=policy,
            priority=priority,
            first_response_minutes=first,
            next_response_minutes=following,
            resolution_minutes=resolution,
        )
        for priority, (first, following, resolution) in targets.items()
    )
    forget_config()
    return policy
