"""The calendar sources this app registers (SVC-04): the reminders on my customers, one entry type
per kind, and my own notes. Later apps register theirs the same way (steward.agenda.registry)."""

from __future__ import annotations

import datetime as dt

from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from steward.agenda.permissions import NOTE_VIEW
from steward.agenda.registry import CalendarEntry, CalendarSource, EntryType, UrlFor, calendar_registry

# One colour per kind of reminder, as the calendar's legend and entries show them.
REMINDER_COLOURS = {
    "large_txn": "#d63939",
    "maturity": "#f76707",
    "birthday": "#d6336c",
    "card_expiry": "#ae3ec9",
    "risk_expiry": "#f59f00",
    "important_date": "#0ca678",
    "ipo": "#4263eb",
    "dividend": "#2fb344",
}
NOTE_COLOUR = "#206bc4"
# The slot contact plans will fill: a reminder's "plan a contact" button.
PLAN_CONTACT = "plan_contact"


def local_date_range(start: dt.datetime, end: dt.datetime) -> tuple[dt.date, dt.date]:
    """The days [first, after_last) that [start, end) touches, in the bank's time zone."""
    first = timezone.localtime(start).date()
    local_end = timezone.localtime(end)
    after_last = local_end.date() if local_end.time() == dt.time(0) else local_end.date() + dt.timedelta(days=1)
    return first, after_last


def reminder_entries(user, start, end, filters):
    """The reminders on the customers the user owns now, dated in the range (dismissed ones left out).

    A month of an RM of 2,000 customers holds ≈ 800 reminders: the customer's name is read with each
    (not the customer's row with its encrypted columns), and labels and URLs are made once per call."""
    from steward.holdings.models import Reminder
    from steward.holdings.reminders import reminders_of

    kinds = [key.split(".", 1)[1] for key in filters["types"] if key.startswith("reminder.")]
    first, after_last = local_date_range(start, end)
    queryset = (
        reminders_of(user)
        .filter(kind__in=kinds, due_on__gte=first, due_on__lt=after_last)
        .exclude(state=Reminder.State.DISMISSED)
        .only(*REMINDER_COLUMNS)
        .annotate(customer_name=F("customer__name"))
        .order_by("due_on", "pk")
    )
    today = timezone.localdate()
    kind_labels = {kind.value: str(kind.label) for kind in Reminder.Kind}
    detail_url, act_url = UrlFor("holdings:reminder_detail"), UrlFor("holdings:reminder_act")
    customer_url = UrlFor("customers:customer_detail")
    shown_states: dict[tuple, str] = {}
    for reminder in queryset:
        text = reminder.shown_text
        if reminder.amount is not None:
            text = f"{text} · {reminder.amount:,.2f}".strip(" ·")
        state = reminder.state_on(today)
        key = (state, reminder.snoozed_until)
        if key not in shown_states:
            shown_states[key] = str(reminder.shown_state(today))
        yield CalendarEntry(
            id=f"reminder-{reminder.pk}",
            title=f"{kind_labels.get(reminder.kind, reminder.kind)} · {reminder.customer_name}",
            start=reminder.due_on,
            type=f"reminder.{reminder.kind}",
            url=detail_url(reminder.pk),
            customer_id=reminder.customer_id,
            customer_name=reminder.customer_name,
            customer_url=customer_url(reminder.customer_id),
            text=text,
            state=state,
            extra={
                "reminder_id": reminder.pk,
                "act_url": act_url(reminder.pk),
                "state_label": shown_states[key],
            },
        )


# What an entry of a reminder shows (the rest of the row is not read).
REMINDER_COLUMNS = ("id", "kind", "customer", "due_on", "amount", "text", "state", "snoozed_until")


def note_entries(user, start, end, filters):
    """My own notes overlapping the range."""
    from steward.agenda.models import CalendarNote

    first, after_last = local_date_range(start, end)
    queryset = (
        CalendarNote.objects.visible_to(user, NOTE_VIEW)
        .annotate(last=Coalesce(F("ends_at"), F("starts_at")))
        .filter(starts_at__lt=end, last__gte=start - dt.timedelta(days=1))
        .select_related("customer")
        .only(*NOTE_COLUMNS, "customer__id", "customer__name")
        .order_by("starts_at", "pk")
    )
    urls = {"note": UrlFor("agenda:note_edit"), "customer": UrlFor("customers:customer_detail")}
    for note in queryset:
        entry = note_entry(note, urls)
        last = entry.end if entry.end is not None else entry.start
        if note.all_day and not (entry.start < after_last and last > first):
            continue
        if not note.all_day and not (note.starts_at < end and (note.ends_at or note.starts_at) >= start):
            continue
        yield entry


NOTE_COLUMNS = ("id", "owner", "title", "text", "starts_at", "ends_at", "all_day", "customer")


def note_entry(note, urls: dict | None = None) -> CalendarEntry:
    """One note as an entry; `urls` (UrlFor of "note" and "customer") when making many."""
    customer = note.customer
    note_url = urls["note"](note.pk) if urls else note.get_absolute_url()
    customer_url = ""
    if customer:
        customer_url = urls["customer"](customer.pk) if urls else customer.get_absolute_url()
    if note.all_day:
        first = timezone.localtime(note.starts_at).date()
        last = timezone.localtime(note.ends_at).date() if note.ends_at else first
        start, end = first, last + dt.timedelta(days=1)
    else:
        start, end = timezone.localtime(note.starts_at), timezone.localtime(note.ends_at) if note.ends_at else None
    return CalendarEntry(
        id=f"note-{note.pk}",
        title=note.title,
        start=start,
        end=end,
        all_day=note.all_day,
        type="note",
        url=note_url,
        customer_id=customer.pk if customer else None,
        customer_name=customer.name if customer else "",
        customer_url=customer_url,
        text=note.text,
    )


def _reminder_types() -> tuple[EntryType, ...]:
    from steward.holdings.models import Reminder

    return tuple(
        EntryType(f"reminder.{kind.value}", kind.label, REMINDER_COLOURS.get(kind.value, "#667382"))
        for kind in Reminder.Kind
    )


calendar_registry.register(
    CalendarSource(
        key="reminders",
        label=_("Reminders"),
        permission="holdings.reminder:view",
        entries=reminder_entries,
        types=_reminder_types(),
        action_slots=(PLAN_CONTACT, "record_contact"),
        order=10,
    )
)
calendar_registry.register(
    CalendarSource(
        key="notes",
        label=_("My notes"),
        permission=NOTE_VIEW,
        entries=note_entries,
        types=(EntryType("note", _("My notes"), NOTE_COLOUR),),
        order=20,
    )
)
