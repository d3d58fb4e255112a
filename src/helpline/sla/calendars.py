"""Turning a BusinessCalendar row into a clock.Calendar, with public holidays filled in."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable

import holidays
from django.utils import timezone

from helpline.sla.choices import DateKind
from helpline.sla.clock import Calendar, Interval
from helpline.sla.models import BusinessCalendar, CalendarDate, WorkingHours, _minute

# Public holidays are expanded for a window of years around today; SLA clocks never
# reach further than that (a resolution target is days, not years, of business time).
YEARS_BEFORE = 2
YEARS_AFTER = 3


def _years(today: dt.date) -> range:
    return range(today.year - YEARS_BEFORE, today.year + YEARS_AFTER + 1)


def weekly_hours(rows: Iterable[WorkingHours]) -> tuple[tuple[Interval, ...], ...]:
    days: list[list[Interval]] = [[] for _ in range(7)]
    for row in rows:
        days[row.weekday].append(row.interval())
    return tuple(tuple(sorted(day)) for day in days)


def usual_day(weekly: tuple[tuple[Interval, ...], ...]) -> tuple[Interval, ...]:
    """The hours an extra working day gets unless it says otherwise: the first working weekday's."""
    return next((day for day in weekly if day), ())


def public_days(country: str, subdivision: str, years: range) -> tuple[set[dt.date], set[dt.date]]:
    """(days off, weekend working days) of a country from the holidays package."""
    if not country:
        return set(), set()
    days_off, workdays = _public_days(country, subdivision, years.start, years.stop)
    return set(days_off), set(workdays)


@functools.lru_cache(maxsize=64)
def _public_days(
    country: str, subdivision: str, first: int, stop: int
) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    # Public holidays do not change while a process runs; computing them takes milliseconds.
    calendar = holidays.country_holidays(
        country, subdiv=subdivision or None, years=range(first, stop)
    )
    return frozenset(calendar.keys()), frozenset(getattr(calendar, "weekend_workdays", ()))


def build_calendar(
    row: BusinessCalendar,
    hours: Iterable[WorkingHours],
    dates: Iterable[CalendarDate],
    today: dt.date | None = None,
) -> Calendar:
    """Compile one calendar. Custom dates win over public holidays, which win over the week."""
    if row.is_24x7:
        return Calendar(row.time_zone, always_open=True)
    weekly = weekly_hours(hours)
    usual = usual_day(weekly)
    days_off, workdays = public_days(
        row.country, row.subdivision, _years(today or timezone.localdate())
    )
    working: dict[dt.date, tuple[Interval, ...]] = {day: usual for day in workdays}
    for custom in dates:
        if custom.kind == DateKind.HOLIDAY:
            days_off.add(custom.date)
            working.pop(custom.date, None)
        else:
            days_off.discard(custom.date)
            if custom.start_time is not None and custom.end_time is not None:
                working[custom.date] = (
                    (_minute(custom.start_time), _minute(custom.end_time) or 1440),
                )
            else:
                working[custom.date] = usual
    return Calendar(row.time_zone, weekly, holidays=days_off, working_days=working)
