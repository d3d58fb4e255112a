"""Business-time arithmetic on working calendars. Pure: no database, no Django.

Definition used everywhere (and by the brute-force reference in the tests): an instant
is business time when its local wall-clock time, in the calendar's time zone, falls in
a working interval of its local date. So on the spring-forward day the skipped hour is
never worked, and on the fall-back day a repeated working hour is worked twice, as a
person at the desk would live it.

Internally instants are integer microseconds since the Unix epoch (UTC), so results are
exact to the microsecond. Each local date's working intervals are turned into UTC
segments once per calendar and cached.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Iterator, Mapping
from zoneinfo import ZoneInfo

Interval = tuple[int, int]  # minutes of the local day: [start, end), 0 <= start < end <= 1440

US = 1_000_000
MINUTE_US = 60 * US
HOUR_US = 60 * MINUTE_US
DAY_US = 24 * HOUR_US
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_ONE_US = dt.timedelta(microseconds=1)
# Real UTC offsets lie within -12h..+14h; a local date's instants lie within this margin.
_MARGIN_US = 15 * HOUR_US
_SAMPLE_US = 3 * HOUR_US  # no zone changes its offset twice within three hours
_SEARCH_DAYS = 3700  # give up after about ten years without any working time
ALWAYS: tuple[Interval, ...] = ((0, 1440),)


def to_us(moment: dt.datetime) -> int:
    if moment.tzinfo is None:
        raise ValueError("business-time arithmetic needs timezone-aware datetimes")
    return (moment - _EPOCH) // _ONE_US


def from_us(value: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(microseconds=value)


def _check_intervals(intervals: tuple[Interval, ...]) -> tuple[Interval, ...]:
    cleaned = tuple(sorted((int(s), int(e)) for s, e in intervals))
    for start, end in cleaned:
        if not 0 <= start < end <= 1440:
            raise ValueError(f"bad working interval {start}-{end} (minutes of the day)")
    for (_, end), (start, _) in zip(cleaned, cleaned[1:], strict=False):
        if start < end:
            raise ValueError("working intervals of one day must not overlap")
    return cleaned


class Calendar:
    """Weekly working hours in a time zone, with holidays and extra working days.

    `weekly` has seven entries, Monday first, each a tuple of working intervals.
    `working_days` maps a date to its hours and wins over `holidays` and the week
    (e.g. a Saturday Russia moved a working day to); `holidays` are days off.
    """

    def __init__(
        self,
        time_zone: str,
        weekly: tuple[tuple[Interval, ...], ...] = (),
        *,
        holidays: frozenset[dt.date] | set[dt.date] = frozenset(),
        working_days: Mapping[dt.date, tuple[Interval, ...]] | None = None,
        always_open: bool = False,
    ) -> None:
        self.time_zone = time_zone
        self.tz = ZoneInfo(time_zone)
        self.always_open = always_open
        if not always_open:
            if len(weekly) != 7:
                raise ValueError("weekly hours need seven days, Monday first")
            weekly = tuple(_check_intervals(day) for day in weekly)
            if not any(weekly):
                raise ValueError("a calendar needs at least one working interval a week")
        self.weekly = weekly
        self.holidays = frozenset(holidays)
        self.working_days = {
            day: _check_intervals(hours) for day, hours in (working_days or {}).items()
        }
        self._segments: dict[int, tuple[tuple[int, int], ...]] = {}

    def __repr__(self) -> str:
        return f"<Calendar {self.time_zone} {'24/7' if self.always_open else 'hours'}>"

    def intervals_on(self, day: dt.date) -> tuple[Interval, ...]:
        """The working intervals of one local date."""
        if self.always_open:
            return ALWAYS
        hours = self.working_days.get(day)
        if hours is not None:
            return hours
        if day in self.holidays:
            return ()
        return self.weekly[day.weekday()]

    # --- time zone ------------------------------------------------------------------

    def _offset(self, at_us: int) -> int:
        offset = from_us(at_us).astimezone(self.tz).utcoffset()
        return offset // _ONE_US if offset else 0

    def _transition(self, low: int, high: int) -> int:
        """First instant in (low, high] whose offset differs from the offset at low."""
        before = self._offset(low)
        while high - low > 1:
            middle = (low + high) // 2
            if self._offset(middle) == before:
                low = middle
            else:
                high = middle
        return high

    def _pieces(self, low: int, high: int) -> list[tuple[int, int, int]]:
        """[low, high) cut into pieces of constant UTC offset: (start, end, offset)."""
        pieces = []
        start, offset = low, self._offset(low)
        probe = low
        while probe < high:
            step = min(probe + _SAMPLE_US, high)
            if self._offset(step) != offset:
                change = self._transition(probe, step)
                pieces.append((start, change, offset))
                start, offset = change, self._offset(change)
            probe = step
        pieces.append((start, high, offset))
        return pieces

    # --- segments -------------------------------------------------------------------

    def _day_segments(self, ordinal: int) -> tuple[tuple[int, int], ...]:
        """The UTC segments [start, end) worked on one local date (by ordinal)."""
        cached = self._segments.get(ordinal)
        if cached is not None:
            return cached
        intervals = self.intervals_on(dt.date.fromordinal(ordinal))
        found: list[tuple[int, int]] = []
        if intervals:
            midnight = (ordinal - _EPOCH_ORDINAL) * DAY_US  # the wall clock, read as UTC
            window = self._pieces(midnight - _MARGIN_US, midnight + DAY_US + _MARGIN_US)
            for low, high, offset in window:
                for start, end in intervals:
                    seg_start = max(low, midnight + start * MINUTE_US - offset)
                    seg_end = min(high, midnight + end * MINUTE_US - offset)
                    if seg_start < seg_end:
                        found.append((seg_start, seg_end))
        segments = tuple(sorted(found))
        self._segments[ordinal] = segments
        return segments

    def _local_ordinal(self, at_us: int) -> int:
        return from_us(at_us).astimezone(self.tz).toordinal()

    def segments_from(self, at_us: int) -> Iterator[tuple[int, int]]:
        """Working segments in UTC order, clipped to start no earlier than at_us."""
        ordinal = self._local_ordinal(at_us) - 1
        pending: list[tuple[int, int]] = []
        for _ in range(_SEARCH_DAYS):
            for segment in self._day_segments(ordinal):
                heapq.heappush(pending, segment)
            # A later date's segments all start after its window opens.
            bound = (ordinal + 1 - _EPOCH_ORDINAL) * DAY_US - _MARGIN_US
            while pending and pending[0][0] < bound:
                start, end = heapq.heappop(pending)
                if end > at_us:
                    yield max(start, at_us), end
            ordinal += 1
        raise ValueError("no working time found within ten years")

    # --- arithmetic -----------------------------------------------------------------

    def add_us(self, start_us: int, amount_us: int) -> int:
        if amount_us < 0:
            raise ValueError("cannot add a negative amount of business time")
        if amount_us == 0:
            return start_us
        if self.always_open:
            return start_us + amount_us
        remaining = amount_us
        for seg_start, seg_end in self.segments_from(start_us):
            length = seg_end - seg_start
            if length >= remaining:
                return seg_start + remaining
            remaining -= length
        raise AssertionError("unreachable")  # pragma: no cover

    def between_us(self, start_us: int, end_us: int) -> int:
        if end_us < start_us:
            return -self.between_us(end_us, start_us)
        if self.always_open:
            return end_us - start_us
        total = 0
        for seg_start, seg_end in self.segments_from(start_us):
            if seg_start >= end_us:
                break
            total += min(seg_end, end_us) - seg_start
        return total


def add_business_minutes(start: dt.datetime, minutes: float, calendar: Calendar) -> dt.datetime:
    """The earliest instant by which `minutes` of business time have passed since `start` (UTC)."""
    if minutes == 0:
        return start
    return from_us(calendar.add_us(to_us(start), round(minutes * MINUTE_US)))


def business_minutes_between(a: dt.datetime, b: dt.datetime, calendar: Calendar) -> float:
    """Business minutes from a to b (negative when b is before a)."""
    return calendar.between_us(to_us(a), to_us(b)) / MINUTE_US


def is_business_time(moment: dt.datetime, calendar: Calendar) -> bool:
    """True when `moment` lies in a working interval of its local date."""
    if calendar.always_open:
        return True
    local = moment.astimezone(calendar.tz)
    minute = local.hour * 60 + local.minute
    return any(start <= minute < end for start, end in calendar.intervals_on(local.date()))
