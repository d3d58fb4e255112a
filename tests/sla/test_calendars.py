"""Compiling calendars: public holidays from the holidays package, custom dates, 24/7."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from helpline.sla.calendars import build_calendar
from helpline.sla.clock import add_business_minutes, is_business_time
from helpline.sla.models import BusinessCalendar, CalendarDate, WorkingHours
from tests.sla.conftest import office_calendar

pytestmark = pytest.mark.django_db

UTC = dt.UTC


def compiled(calendar: BusinessCalendar):
    return build_calendar(
        calendar, calendar.hours.all(), calendar.dates.all(), today=dt.date(2024, 6, 1)
    )


def msk(year, month, day, hour, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour - 3, minute, tzinfo=UTC)


def test_russian_public_holidays_and_moved_saturdays_come_from_the_holidays_package():
    calendar = compiled(office_calendar(country="RU"))

    assert not is_business_time(msk(2024, 4, 29, 12), calendar)  # day off moved from Saturday
    assert not is_business_time(msk(2024, 5, 9, 12), calendar)  # Victory Day
    assert is_business_time(msk(2024, 4, 27, 12), calendar)  # the working Saturday
    assert not is_business_time(msk(2024, 4, 28, 12), calendar)  # an ordinary Sunday


def test_custom_dates_win_over_public_holidays_and_the_week():
    row = office_calendar(country="RU")
    CalendarDate.objects.create(calendar=row, date=dt.date(2024, 5, 9), kind="working_day")
    CalendarDate.objects.create(
        calendar=row,
        date=dt.date(2024, 6, 15),
        kind="working_day",
        start_time=dt.time(10),
        end_time=dt.time(14),
    )
    CalendarDate.objects.create(calendar=row, date=dt.date(2024, 4, 27), kind="holiday")

    calendar = compiled(row)

    assert is_business_time(msk(2024, 5, 9, 12), calendar)
    assert is_business_time(msk(2024, 6, 15, 13), calendar)
    assert not is_business_time(msk(2024, 6, 15, 15), calendar)
    assert not is_business_time(msk(2024, 4, 27, 12), calendar)


def test_several_intervals_a_day_leave_the_lunch_break_out():
    row = BusinessCalendar.objects.create(name="With lunch", time_zone="Europe/Berlin")
    for start, end in ((dt.time(8), dt.time(12)), (dt.time(13), dt.time(17))):
        WorkingHours.objects.create(calendar=row, weekday=0, start_time=start, end_time=end)

    calendar = compiled(row)
    monday_11_cest = dt.datetime(2024, 6, 3, 9, 0, tzinfo=UTC)

    assert add_business_minutes(monday_11_cest, 120, calendar) == dt.datetime(
        2024, 6, 3, 12, 0, tzinfo=UTC
    )


def test_end_of_day_midnight_means_the_whole_evening():
    row = BusinessCalendar.objects.create(name="Late", time_zone="UTC")
    WorkingHours.objects.create(
        calendar=row, weekday=0, start_time=dt.time(20), end_time=dt.time(0)
    )

    calendar = compiled(row)

    assert is_business_time(dt.datetime(2024, 6, 3, 23, 59, tzinfo=UTC), calendar)


def test_24x7_calendar_is_always_working():
    row = BusinessCalendar.objects.get(name="24/7")

    assert is_business_time(dt.datetime(2024, 1, 1, 3, 0, tzinfo=UTC), compiled(row))


def test_unknown_time_zone_and_country_are_refused():
    row = BusinessCalendar(name="Bad", time_zone="Mars/Olympus", country="XX")

    with pytest.raises(ValidationError) as error:
        row.full_clean()

    assert set(error.value.message_dict) == {"time_zone"}
    row.time_zone = "UTC"
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert set(error.value.message_dict) == {"country"}
