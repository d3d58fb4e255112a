"""Business-time arithmetic against a brute-force, minute-by-minute reference.

The reference walks real (UTC) minutes one at a time, converts each to local wall time
with zoneinfo, and asks whether that wall time is in a working interval of its local
date: the definition, with nothing clever. DST days are sampled often on purpose.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpline.sla.clock import (
    Calendar,
    add_business_minutes,
    business_minutes_between,
    is_business_time,
)

UTC = dt.UTC
ZONES = ["Europe/Berlin", "America/New_York", "Europe/Moscow"]
OFFICE = ((540, 1080),)  # 09:00-18:00
WEEKDAYS = (OFFICE,) * 5 + ((), ())


def brute_is_working(moment: dt.datetime, calendar: Calendar) -> bool:
    local = moment.astimezone(ZoneInfo(calendar.time_zone))
    minute = local.hour * 60 + local.minute
    return any(s <= minute < e for s, e in calendar.intervals_on(local.date()))


def brute_between(a: dt.datetime, b: dt.datetime, calendar: Calendar) -> int:
    total, moment = 0, a
    while moment < b:
        total += brute_is_working(moment, calendar)
        moment += dt.timedelta(minutes=1)
    return total


def brute_add(start: dt.datetime, minutes: int, calendar: Calendar) -> dt.datetime:
    moment, left = start, minutes
    while left:
        if brute_is_working(moment, calendar):
            left -= 1
        moment += dt.timedelta(minutes=1)
    return moment


# --- strategies --------------------------------------------------------------------

# DST changes in these zones: late March / early November (US) and late October (EU).
DST_DAYS = [
    dt.datetime(2024, 3, 10, tzinfo=UTC),
    dt.datetime(2024, 3, 31, tzinfo=UTC),
    dt.datetime(2024, 10, 27, tzinfo=UTC),
    dt.datetime(2024, 11, 3, tzinfo=UTC),
    dt.datetime(2025, 3, 30, tzinfo=UTC),
    dt.datetime(2025, 11, 2, tzinfo=UTC),
]


@st.composite
def intervals_of_a_day(draw) -> tuple[tuple[int, int], ...]:
    # Slots in 30-minute steps, including the small hours where DST changes happen.
    points = sorted(draw(st.sets(st.integers(0, 48), min_size=0, max_size=6)))
    if len(points) % 2:
        points = points[:-1]
    return tuple((points[i] * 30, points[i + 1] * 30) for i in range(0, len(points), 2))


@st.composite
def calendars(draw) -> Calendar:
    zone = draw(st.sampled_from(ZONES))
    weekly = tuple(draw(intervals_of_a_day()) for _ in range(7))
    if not any(weekly):
        weekly = WEEKDAYS
    base = dt.date(2024, 3, 1)
    holidays = draw(st.sets(st.integers(0, 700).map(lambda n: base + dt.timedelta(n)), max_size=8))
    extra = draw(
        st.dictionaries(
            st.integers(0, 700).map(lambda n: base + dt.timedelta(n)),
            intervals_of_a_day(),
            max_size=4,
        )
    )
    return Calendar(zone, weekly, holidays=holidays, working_days=extra)


@st.composite
def instants(draw) -> dt.datetime:
    anchor = draw(st.sampled_from(DST_DAYS))
    offset = draw(st.integers(-3 * 24 * 60, 3 * 24 * 60))
    return anchor + dt.timedelta(minutes=offset)


PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- properties ----------------------------------------------------------------------


def weekly_minutes(calendar: Calendar) -> int:
    return sum(end - start for day in calendar.weekly for start, end in day)


@PROPERTY
@given(calendar=calendars(), start=instants(), data=st.data())
def test_add_business_minutes_matches_the_minute_by_minute_reference(calendar, start, data):
    # At most about three weeks of work, so the minute-by-minute walk stays short.
    minutes = data.draw(st.integers(0, min(3000, 3 * weekly_minutes(calendar))))
    assert add_business_minutes(start, minutes, calendar) == brute_add(start, minutes, calendar)


@PROPERTY
@given(calendar=calendars(), a=instants(), span=st.integers(0, 4 * 24 * 60))
def test_business_minutes_between_matches_the_reference(calendar, a, span):
    b = a + dt.timedelta(minutes=span)
    assert business_minutes_between(a, b, calendar) == brute_between(a, b, calendar)
    assert business_minutes_between(b, a, calendar) == -brute_between(a, b, calendar)


@PROPERTY
@given(calendar=calendars(), start=instants(), minutes=st.integers(1, 5000))
def test_adding_then_measuring_gives_back_the_minutes(calendar, start, minutes):
    due = add_business_minutes(start, minutes, calendar)
    assert business_minutes_between(start, due, calendar) == minutes
    # The due instant is the earliest one: a minute earlier, the time is not yet used up.
    assert business_minutes_between(start, due - dt.timedelta(minutes=1), calendar) == minutes - 1


@PROPERTY
@given(calendar=calendars(), moment=instants())
def test_is_business_time_matches_the_reference(calendar, moment):
    assert is_business_time(moment, calendar) == brute_is_working(moment, calendar)


# --- examples ------------------------------------------------------------------------


def test_office_hours_skip_the_night_and_the_weekend():
    moscow = Calendar("Europe/Moscow", WEEKDAYS)
    friday_5pm = dt.datetime(2025, 3, 14, 14, 0, tzinfo=UTC)  # 17:00 MSK

    due = add_business_minutes(friday_5pm, 120, moscow)

    assert due == dt.datetime(2025, 3, 17, 7, 0, tzinfo=UTC)  # Monday 10:00 MSK


def test_a_russian_holiday_and_a_moved_working_saturday():
    # 2024-04-29/30 were days off and Saturday 2024-04-27 a working day in Russia.
    moscow = Calendar(
        "Europe/Moscow",
        WEEKDAYS,
        holidays={dt.date(2024, 4, 29), dt.date(2024, 4, 30), dt.date(2024, 5, 1)},
        working_days={dt.date(2024, 4, 27): OFFICE},
    )
    friday_5pm = dt.datetime(2024, 4, 26, 14, 0, tzinfo=UTC)

    due = add_business_minutes(friday_5pm, 11 * 60, moscow)

    # One hour on Friday, nine on Saturday, then one on Thursday 2 May.
    assert due == dt.datetime(2024, 5, 2, 7, 0, tzinfo=UTC)


def test_spring_forward_night_shift_loses_the_skipped_hour():
    night = Calendar("Europe/Berlin", (((0, 360),),) * 7)  # 00:00-06:00 every day
    start = dt.datetime(2025, 3, 29, 23, 0, tzinfo=UTC)  # 00:00 CET on 30 March

    assert business_minutes_between(start, start + dt.timedelta(hours=8), night) == 5 * 60


def test_fall_back_night_shift_works_the_repeated_hour_twice():
    night = Calendar("America/New_York", (((0, 360),),) * 7)
    start = dt.datetime(2025, 11, 2, 4, 0, tzinfo=UTC)  # 00:00 EDT on 2 November

    assert business_minutes_between(start, start + dt.timedelta(hours=8), night) == 7 * 60


def test_always_open_calendar_counts_real_time_across_dst():
    always = Calendar("Europe/Berlin", always_open=True)
    start = dt.datetime(2025, 10, 25, 12, 0, 0, 123456, tzinfo=UTC)

    assert add_business_minutes(start, 1440, always) == start + dt.timedelta(days=1)


def test_microseconds_are_kept():
    moscow = Calendar("Europe/Moscow", WEEKDAYS)
    start = dt.datetime(2025, 3, 12, 7, 0, 0, 250000, tzinfo=UTC)

    assert add_business_minutes(start, 30, moscow) == start + dt.timedelta(minutes=30)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        add_business_minutes(
            dt.datetime(2025, 1, 1, 12, 0),  # noqa: DTZ001
            5,
            Calendar("UTC", WEEKDAYS),
        )


def test_a_calendar_without_working_hours_is_refused():
    with pytest.raises(ValueError, match="at least one working interval"):
        Calendar("Europe/Moscow", ((),) * 7)
