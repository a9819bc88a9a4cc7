"""The SMS send window (INT-05): no SMS at night.

The window is two system parameters, ``channels.sms_window_start`` and ``channels.sms_window_end``
(HH:MM, the bank's time zone, default 08:00–21:00). A window whose end is earlier than its start
runs over midnight (22:00–06:00); equal ends mean no window (always open). A message due outside
the window is held until `next_opening`.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone

from steward.channels.defaults import SMS_WINDOW_END, SMS_WINDOW_START

logger = logging.getLogger(__name__)

DEFAULT_START = dt.time(8, 0)
DEFAULT_END = dt.time(21, 0)


def parse_hhmm(value: str) -> dt.time:
    """'08:00' → 08:00; raises ValueError naming the expected form."""
    text = str(value or "").strip()
    try:
        hours, minutes = text.split(":")
        if not (hours.isdigit() and minutes.isdigit() and len(minutes) == 2):
            raise ValueError
        if int(hours) == 24 and int(minutes) == 0:
            return dt.time(0, 0)
        return dt.time(int(hours), int(minutes))
    except ValueError:
        raise ValueError(f"{text!r} is not a time of day as HH:MM (e.g. 08:00)") from None


def sms_window() -> tuple[dt.time, dt.time]:
    """(opens, closes) from the parameters; a value that is not HH:MM falls back to its default
    (logged), so a typo never stops or floods the SMS channel."""
    from steward.basedata.services import parameter

    times = []
    for key, default in ((SMS_WINDOW_START, DEFAULT_START), (SMS_WINDOW_END, DEFAULT_END)):
        try:
            times.append(parse_hhmm(parameter(key)))
        except (KeyError, ValueError) as error:
            logger.error("System parameter %s: %s; using %s", key, error, default.strftime("%H:%M"))
            times.append(default)
    return times[0], times[1]


def is_open(now: dt.datetime, window: tuple[dt.time, dt.time] | None = None) -> bool:
    opens, closes = window or sms_window()
    if opens == closes:
        return True
    local = timezone.localtime(now).time()
    if opens < closes:
        return opens <= local < closes
    return local >= opens or local < closes


def next_opening(now: dt.datetime, window: tuple[dt.time, dt.time] | None = None) -> dt.datetime:
    """The first moment at or after `now` inside the window (aware, in the bank's time zone)."""
    window = window or sms_window()
    if is_open(now, window):
        return now
    local = timezone.localtime(now)
    opening = local.replace(hour=window[0].hour, minute=window[0].minute, second=0, microsecond=0)
    if opening <= local:
        opening = (local + dt.timedelta(days=1)).replace(
            hour=window[0].hour, minute=window[0].minute, second=0, microsecond=0
        )
    # Re-attach the zone for that calendar day (a DST change in a zone that has one).
    tz = timezone.get_current_timezone()
    return timezone.make_aware(opening.replace(tzinfo=None), tz)
