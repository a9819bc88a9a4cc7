"""Business days from the holiday calendar (DESIGN "Time, money, data dates"; TASK-07).

Monday to Friday are business days, Saturday and Sunday are not; ``CalendarDay`` rows are the
exceptions (public holidays, weekend days worked in lieu). Every rule that counts working days —
leave, due dates of work items and contact plans, "within N business days" reminders — asks here,
never ``weekday() < 5`` by itself.

The exceptions of a year are read once and cached like parameters (one small query per year and
CACHE_SECONDS); saving a calendar day drops its years and "Refresh system cache" moves the
calendar's generation, which drops every year at once (also years cached while still empty).
"""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache

CACHE_SECONDS = 60  # as parameters and code tables (steward.basedata.services)
GENERATION_KEY = "steward:calendar:generation"
CALENDAR_KEY = "steward:calendar:{}:{}"
# Business-day walks stop after this many calendar days: a calendar that marks every day a
# holiday (a data-entry slip) gives a clear error instead of a loop that never ends.
MAX_WALK_DAYS = 3660


class CalendarExhausted(ValueError):
    """No business day within MAX_WALK_DAYS of the start: the holiday calendar is wrong."""


def _generation() -> int:
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        generation = 0
        cache.add(GENERATION_KEY, generation, None)
    return generation


def _exceptions(year: int) -> tuple[frozenset, frozenset]:
    """(holidays, worked weekend days) of `year`."""
    key = CALENDAR_KEY.format(_generation(), year)
    cached = cache.get(key)
    if cached is None:
        from steward.basedata.models import CalendarDay

        rows = CalendarDay.objects.filter(date__year=year).values_list("date", "kind")
        holidays = frozenset(day for day, kind in rows if kind == CalendarDay.Kind.HOLIDAY)
        workdays = frozenset(day for day, kind in rows if kind == CalendarDay.Kind.WORKDAY)
        cached = (holidays, workdays)
        cache.set(key, cached, CACHE_SECONDS)
    return cached


def forget_years(years) -> None:
    """Drop the cached exceptions of `years` (after a change of the calendar)."""
    generation = _generation()
    cache.delete_many([CALENDAR_KEY.format(generation, year) for year in set(years)])


def forget_all() -> None:
    """Drop every cached year ("Refresh system cache")."""
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not set yet (or evicted): nothing of this generation is cached either
        cache.set(GENERATION_KEY, 1, None)


class _Reader:
    """Reads each year's exceptions once per call of the functions below."""

    def __init__(self):
        self.years: dict[int, tuple[frozenset, frozenset]] = {}

    def is_business_day(self, day: dt.date) -> bool:
        if day.year not in self.years:
            self.years[day.year] = _exceptions(day.year)
        holidays, workdays = self.years[day.year]
        if day in workdays:
            return True
        if day in holidays:
            return False
        return day.weekday() < 5

    def step(self, day: dt.date, direction: int) -> dt.date:
        start = day
        for _ in range(MAX_WALK_DAYS):
            day += dt.timedelta(days=direction)
            if self.is_business_day(day):
                return day
        raise CalendarExhausted(f"no business day within {MAX_WALK_DAYS} days of {start.isoformat()}")


def is_business_day(day: dt.date) -> bool:
    return _Reader().is_business_day(day)


def add_business_days(day: dt.date, count: int) -> dt.date:
    """The business day `count` business days after `day` (before it when negative); 0 gives `day`
    itself when it is a business day, else the next one."""
    reader = _Reader()
    if count == 0:
        return day if reader.is_business_day(day) else reader.step(day, 1)
    direction = 1 if count > 0 else -1
    for _ in range(abs(count)):
        day = reader.step(day, direction)
    return day


def next_business_day(day: dt.date) -> dt.date:
    """The first business day after `day`."""
    return _Reader().step(day, 1)


def previous_business_day(day: dt.date) -> dt.date:
    """The last business day before `day` (e.g. the data date of a T+1 file delivered on `day`)."""
    return _Reader().step(day, -1)


def business_days_between(start: dt.date, end: dt.date) -> int:
    """How many business days lie from `start` to `end`, both included (0 when end < start)."""
    reader = _Reader()
    count = 0
    day = start
    while day <= end:
        count += reader.is_business_day(day)
        day += dt.timedelta(days=1)
    return count


def holidays_in(start: dt.date, end: dt.date) -> list:
    """The calendar's recorded days from `start` to `end` (for calendars and pickers)."""
    from steward.basedata.models import CalendarDay

    return list(CalendarDay.objects.filter(date__range=(start, end)).order_by("date"))
