"""The iCalendar feed (RFC 5545) of a user's calendar — SVC-04. Written by hand: a feed is a few
lines per entry, and the rules are few — text escaped (backslash, semicolon, comma, newline), lines
folded at 75 octets without splitting a character, CRLF line ends, timed entries in UTC, all-day
entries as DATE values with an exclusive end."""

from __future__ import annotations

import datetime as dt

ESCAPES = {"\\": "\\\\", ";": "\\;", ",": "\\,", "\n": "\\n"}


def escape_text(value: str) -> str:
    value = (value or "").replace("\r\n", "\n").replace("\r", "\n")
    return "".join(ESCAPES.get(char, char) for char in value if char == "\n" or char >= " " or char == "\t")


def fold(line: str) -> str:
    """A content line folded into lines of at most 75 octets (continuations start with a space)."""
    out, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        limit = 75 if not out else 74  # a continuation's leading space counts
        if size + width > limit:
            out.append(current)
            current, size = "", 0
        current += char
        size += width
    out.append(current)
    return "\r\n ".join(out)


def utc_stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def date_value(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


def build_calendar(name: str, events: list[dict], *, now: dt.datetime) -> str:
    """events: dicts with uid, summary, start, end (date or aware datetime; None), description,
    url, categories. Returns the calendar as text with CRLF line ends."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Steward//Wealth calendar//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    stamp = utc_stamp(now)
    for event in events:
        lines += ["BEGIN:VEVENT", f"UID:{escape_text(event['uid'])}", f"DTSTAMP:{stamp}"]
        start, end = event["start"], event.get("end")
        if isinstance(start, dt.datetime):
            lines.append(f"DTSTART:{utc_stamp(start)}")
            if end is not None:
                lines.append(f"DTEND:{utc_stamp(end)}")
        else:
            lines.append(f"DTSTART;VALUE=DATE:{date_value(start)}")
            lines.append(f"DTEND;VALUE=DATE:{date_value(end or start + dt.timedelta(days=1))}")
        lines.append(f"SUMMARY:{escape_text(event['summary'])}")
        if event.get("description"):
            lines.append(f"DESCRIPTION:{escape_text(event['description'])}")
        if event.get("categories"):
            lines.append(f"CATEGORIES:{escape_text(event['categories'])}")
        if event.get("url"):
            lines.append(f"URL:{event['url']}")
        if event.get("status"):
            lines.append(f"STATUS:{event['status']}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
