"""Calendar services — SVC-04: my notes, the calendar's entries for a range, the feed's token.
Pages, the API and the iCalendar feed call these."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from steward.access.services import require_permission, require_visible
from steward.agenda.models import CalendarFeed, CalendarNote, token_digest
from steward.agenda.permissions import CALENDAR_VIEW, NOTE_CHANGE
from steward.agenda.registry import calendar_registry
from steward.core.errors import DomainError
from steward.core.services import service

# The longest range one request may ask for: a month view shows six weeks.
MAX_RANGE_DAYS = 100
CUSTOMER_PERMISSION = "customers.customer:view"


# ---------------------------------------------------------------- the range


def parse_moment(value: str, name: str) -> dt.datetime:
    """A range bound as the calendar sends it: a date, or a date and time with or without an offset
    (naive: the bank's time zone). A "+" of an offset turned into a space by a query string is put back."""
    value = (value or "").strip()[:40]
    if "T" in value:
        value = value.replace(" ", "+")
    try:
        if len(value) == 10:
            day = parse_date(value)
            moment = dt.datetime.combine(day, dt.time(0)) if day else None
        else:
            moment = parse_datetime(value)
    except (ValueError, OverflowError):
        moment = None
    if moment is None or not (1900 <= moment.year <= 2200):
        raise DomainError(_("Give %(name)s as a date (YYYY-MM-DD) or a date and time.") % {"name": name}, name)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def calendar_range(start: str, end: str) -> tuple[dt.datetime, dt.datetime]:
    """The range asked for; neither start nor end given: this month (a client's first look)."""
    if not start and not end:
        today = timezone.localdate()
        month = today.replace(day=1)
        next_month = (month + dt.timedelta(days=32)).replace(day=1)
        tz = timezone.get_current_timezone()
        return dt.datetime.combine(month, dt.time.min, tzinfo=tz), dt.datetime.combine(
            next_month, dt.time.min, tzinfo=tz
        )
    first, last = parse_moment(start, "start"), parse_moment(end, "end")
    if last <= first:
        raise DomainError(_("The end of the range must come after its start."), "end")
    if last - first > dt.timedelta(days=MAX_RANGE_DAYS):
        raise DomainError(_("Ask for at most %(days)s days at a time.") % {"days": MAX_RANGE_DAYS}, "end")
    return first, last


def parse_types(values: list[str] | None) -> set[str] | None:
    """The entry types asked for: `types=a,b` (or repeated); absent: every type."""
    if values is None:
        return None
    return {part.strip() for value in values for part in value.split(",") if part.strip()}


def calendar_entries(user, start: dt.datetime, end: dt.datetime, types: set[str] | None = None):
    """[(source, entry, actions)] of the user's calendar in [start, end) (SVC-04)."""
    require_permission(user, CALENDAR_VIEW)
    return calendar_registry.entries(user, start, end, types)


def _moment(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat()
    return value.isoformat()


def entry_api(source, entry, actions, memo: dict | None = None) -> dict:
    """One entry as the API gives it (and the page's JSON is built from). `memo` (a dict kept for
    one response) holds the labels of types and actions, translated once, not once per entry."""
    memo = {} if memo is None else memo
    type_key = ("type", source.key, entry.type)
    if type_key not in memo:
        entry_type = next((t for t in source.types if t.key == entry.type), None)
        memo[type_key] = (str(entry_type.label), entry_type.color) if entry_type else (entry.type, "#667382")
    type_label, color = memo[type_key]
    offered = []
    for action in actions:
        url = action.url(entry)
        if url:
            label_key = ("action", action.slot)
            if label_key not in memo:
                memo[label_key] = str(action.label)
            offered.append({"key": action.slot, "label": memo[label_key], "url": url})
    return {
        "id": entry.id,
        "source": source.key,
        "type": entry.type,
        "type_label": type_label,
        "color": color,
        "title": entry.title,
        "start": _moment(entry.start),
        "end": _moment(entry.end),
        "all_day": entry.all_day,
        "url": entry.url,
        "customer": (
            {"id": entry.customer_id, "name": entry.customer_name, "url": entry.customer_url}
            if entry.customer_id
            else None
        ),
        "text": entry.text,
        "state": entry.state,
        "actions": offered,
        "extra": dict(entry.extra),
    }


def entry_json(source, entry, actions, memo: dict | None = None) -> dict:
    """One entry as FullCalendar's event object (the calendar page's JSON)."""
    data = entry_api(source, entry, actions, memo)
    extra = data.pop("extra")
    return {
        "id": data["id"],
        "title": data["title"],
        "start": data["start"],
        "end": data["end"],
        "allDay": data["all_day"],
        "backgroundColor": data["color"],
        "borderColor": data["color"],
        "classNames": [f"entry-{entry.state}"] if entry.state else [],
        "extendedProps": {
            key: value for key, value in data.items() if key not in ("id", "title", "start", "end", "all_day")
        }
        | extra,
    }


def entries_api(found) -> list[dict]:
    """`calendar_entries`' answer as the API gives it."""
    memo: dict = {}
    return [entry_api(source, entry, actions, memo) for source, entry, actions in found]


def entries_json(found) -> list[dict]:
    """`calendar_entries`' answer as the calendar page's FullCalendar events."""
    memo: dict = {}
    return [entry_json(source, entry, actions, memo) for source, entry, actions in found]


# ---------------------------------------------------------------- my notes


def _check_note(actor, note: CalendarNote) -> None:
    for name in ("starts_at", "ends_at"):
        moment = getattr(note, name)
        if moment is not None and not (1900 <= moment.year <= 2200):
            raise DomainError(_("Give a date between 1900 and 2200."), name)
    if note.ends_at is not None and note.ends_at < note.starts_at:
        raise DomainError(_("The end must not come before the start."), "ends_at")
    if note.customer_id is not None:
        from steward.customers.models import Customer

        if not Customer.objects.visible_to(actor, CUSTOMER_PERMISSION).filter(pk=note.customer_id).exists():
            raise DomainError(_("No customer with this number in your data scope."), "customer")


def all_day_bounds(first: dt.date, last: dt.date | None) -> tuple[dt.datetime, dt.datetime | None]:
    """An all-day note's stored times: the bank's midnight of its first and last day."""
    start = timezone.make_aware(dt.datetime.combine(first, dt.time(0)))
    end = timezone.make_aware(dt.datetime.combine(last, dt.time(0))) if last and last != first else None
    return start, end


@service
def save_note(actor, note: CalendarNote) -> CalendarNote:
    """Write a note in my own calendar, or change one of mine (SVC-04)."""
    require_permission(actor, NOTE_CHANGE)
    if note.pk is None:
        note.owner = actor
    else:
        require_visible(actor, NOTE_CHANGE, note)
    _check_note(actor, note)
    if note.all_day:
        first = timezone.localtime(note.starts_at).date()
        last = timezone.localtime(note.ends_at).date() if note.ends_at else None
        note.starts_at, note.ends_at = all_day_bounds(first, last)
    note.full_clean(exclude=["owner", "customer"])
    note.save()
    return note


@service
def delete_note(actor, note: CalendarNote) -> None:
    require_visible(actor, NOTE_CHANGE, note)
    note.delete()


# ---------------------------------------------------------------- the iCalendar feed


def feed_of(user, *, create: bool = True) -> CalendarFeed | None:
    """The user's feed address (made on first use)."""
    feed = CalendarFeed.objects.filter(user=user).first()
    if feed is None and create:
        feed = _new_feed(user)
    return feed


def _new_feed(user) -> CalendarFeed:
    feed = CalendarFeed(user=user)
    feed.set_token(secrets.token_urlsafe(32))
    with transaction.atomic():
        CalendarFeed.objects.filter(user=user).delete()
        feed.save()
    return feed


@service
def reset_feed(actor) -> CalendarFeed:
    """A new private address for my feed; the old one answers 404 from now on."""
    require_permission(actor, CALENDAR_VIEW)
    feed = CalendarFeed.objects.select_for_update().filter(user=actor).first()
    if feed is None:
        return _new_feed(actor)
    feed.set_token(secrets.token_urlsafe(32))
    feed.save(update_fields=["token_digest", "token_encrypted", "updated_at"])
    return feed


def feed_owner(token: str):
    """The active user whose feed `token` opens, or None (unknown, reset, left, no permission)."""
    from steward.access.services import has_permission

    if not token or len(token) > 100:
        return None
    feed = CalendarFeed.objects.filter(token_digest=token_digest(token)).select_related("user").first()
    if feed is None or not feed.user.is_active or not has_permission(feed.user, CALENDAR_VIEW):
        return None
    return feed.user
