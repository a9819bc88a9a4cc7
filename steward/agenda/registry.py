"""The calendar's sources — SVC-04. The calendar is shared: reminders, my notes and, later, contact
plans, appointments and marketing add their entries by registering a *calendar source*; the page,
its JSON, the API and the iCalendar feed read every source the user may see, and none of them knows
any source by name.

    from steward.agenda.registry import CalendarSource, EntryType, calendar_registry

    calendar_registry.register(
        CalendarSource(
            key="contact_plans",
            label=_("Contact plans"),
            permission="contacts.plan:view",
            entries=plans_between,             # (user, start, end, filters) -> [CalendarEntry]
            types=(EntryType("contact_plan", _("Contact plan"), "#4299e1"),),
        )
    )

`start` and `end` are aware datetimes ([start, end)); `filters["types"]` is the set of entry types
asked for (a source returns entries of those only). A source may declare *action slots* its
entries offer (the reminders offer "plan_contact"); another app fills a slot later with
`calendar_registry.register_action(EntryAction(...))` — until then the entries offer nothing there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.utils.functional import Promise


@dataclass(frozen=True)
class EntryType:
    """One kind of entry, with its own checkbox and colour on the calendar page."""

    key: str  # "reminder.birthday", "note"
    label: str | Promise
    color: str  # a CSS colour


@dataclass(frozen=True)
class CalendarEntry:
    """One entry on the calendar. An all-day entry has dates (`end` exclusive, None: one day); a
    timed one aware datetimes."""

    id: str  # unique across sources: "reminder-12", "note-3"
    title: str
    start: dt.date | dt.datetime
    type: str
    end: dt.date | dt.datetime | None = None
    all_day: bool = True
    url: str = ""  # the entry's own page
    customer_id: int | None = None
    customer_name: str = ""
    customer_url: str = ""
    text: str = ""
    state: str = ""  # e.g. a reminder's "done": shown struck through
    extra: dict = field(default_factory=dict)  # anything the source's page actions need


@dataclass(frozen=True)
class EntryAction:
    """What fills an action slot: a button on the entries of the sources that declare the slot."""

    slot: str  # "plan_contact"
    label: str | Promise
    permission: str
    url: Callable[[CalendarEntry], str | None]  # None or "": not offered on that entry


@dataclass(frozen=True)
class CalendarSource:
    key: str
    label: str | Promise
    permission: str  # who sees its entries
    entries: Callable[..., Iterable[CalendarEntry]]  # (user, start, end, filters)
    types: tuple[EntryType, ...]
    action_slots: tuple[str, ...] = ()
    order: int = 100


@dataclass
class CalendarRegistry:
    sources: dict[str, CalendarSource] = field(default_factory=dict)
    actions: dict[str, EntryAction] = field(default_factory=dict)

    def register(self, source: CalendarSource) -> None:
        if source.key in self.sources:
            raise ValueError(f"Calendar source {source.key!r} is registered twice.")
        known = {t.key for s in self.sources.values() for t in s.types}
        clash = known & {t.key for t in source.types}
        if clash:
            raise ValueError(f"Calendar entry types {sorted(clash)} are registered twice.")
        self.sources[source.key] = source

    def register_action(self, action: EntryAction) -> None:
        """Fill an action slot (e.g. "plan_contact" with the contact plans' page)."""
        self.actions[action.slot] = action

    def unregister_action(self, slot: str) -> None:
        self.actions.pop(slot, None)

    def sources_for(self, user) -> list[CalendarSource]:
        from steward.access.services import has_permission

        return sorted(
            (source for source in self.sources.values() if has_permission(user, source.permission)),
            key=lambda source: (source.order, source.key),
        )

    def types_for(self, user) -> list[EntryType]:
        return [entry_type for source in self.sources_for(user) for entry_type in source.types]

    def actions_for(self, user, source: CalendarSource) -> list[EntryAction]:
        from steward.access.services import has_permission

        return [
            self.actions[slot]
            for slot in source.action_slots
            if slot in self.actions and has_permission(user, self.actions[slot].permission)
        ]

    def entries(self, user, start: dt.datetime, end: dt.datetime, types: set[str] | None = None):
        """[(source, entry, actions)] of every source the user may see, in [start, end), of the
        entry types asked for (None: all), ordered by start."""
        found = []
        for source in self.sources_for(user):
            wanted = {t.key for t in source.types}
            if types is not None:
                wanted &= types
            if not wanted:
                continue
            actions = self.actions_for(user, source)
            for entry in source.entries(user, start, end, {"types": wanted}):
                if entry.type in wanted:
                    found.append((source, entry, actions))
        found.sort(key=lambda item: (_sort_key(item[1].start), item[1].id))
        return found


def _sort_key(value) -> str:
    return value.isoformat() if isinstance(value, dt.datetime) else f"{value.isoformat()}T00:00"


class UrlFor:
    """``reverse(name, args=[pk])`` for many primary keys: the URL is reversed once and then only
    formatted. A month of an RM's calendar (≈ 1,300 entries) reversed ≈ 4,000 URLs one by one, a
    third of the request's time. Make one per source call (a request), never at import time."""

    MARKER = 2147483647

    def __init__(self, name: str):
        from django.urls import reverse

        url = reverse(name, args=[self.MARKER])
        self.head, found, self.tail = url.rpartition(str(self.MARKER))
        if not found:  # (cannot happen with an <int:pk> route; keeps reverse's answer if it does)
            self.head, self.tail = None, name

    def __call__(self, pk) -> str:
        if self.head is None:
            from django.urls import reverse

            return reverse(self.tail, args=[pk])
        return f"{self.head}{int(pk)}{self.tail}"


calendar_registry = CalendarRegistry()
