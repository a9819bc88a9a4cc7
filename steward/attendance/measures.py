"""What a quota can count (TASK-05, TASK-06): a registry of measures, each one grouped query.

File 003's task calendar shows "intent leads" and "phone follow-ups" done against their quota; a
module adds its own measure with ``register_measure(key, label, counter)``, where ``counter(
employee_ids, start_date, end_date)`` answers ``{(employee_id, date): count}`` for the days from
start to end (both included, local dates), in one grouped query whatever the number of people
and days. Days and people that did nothing are simply absent from the answer.

The counts are what each person did, whoever looks: the task calendar's data scope is over the
people (steward.attendance.services.day_status), not over the customers behind each count.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

Counter = Callable[[list[int], dt.date, dt.date], dict[tuple[int, dt.date], int]]


@dataclass(frozen=True)
class Measure:
    key: str
    label: object
    counter: Counter


MEASURES: dict[str, Measure] = {}


def register_measure(key: str, label, counter: Counter) -> None:
    """Declare a measure quotas may count (at import time, from an app's ready())."""
    if key in MEASURES and MEASURES[key].counter is not counter:
        raise ValueError(f"Measure {key!r} is registered twice.")
    MEASURES[key] = Measure(key, label, counter)


def measure_choices() -> list[tuple[str, object]]:
    return [(measure.key, measure.label) for measure in MEASURES.values()]


def measure_label(key: str) -> str:
    measure = MEASURES.get(key)
    # A quota of a measure no longer registered (an app removed) still shows its key, not a crash.
    return str(measure.label) if measure else key


def local_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[start 00:00, the day after end 00:00) in the bank's time zone."""
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


def count_by_person_and_day(queryset, person_field: str, time_field: str, employee_ids: Iterable[int], start, end):
    """{(person id, local date of time_field): rows} of `queryset` for those people in [start, end]:
    one GROUP BY, read through the (person, time) index."""
    first, after = local_bounds(start, end)
    rows = (
        queryset.filter(
            **{f"{person_field}__in": list(employee_ids), f"{time_field}__gte": first, f"{time_field}__lt": after}
        )
        .annotate(day=TruncDate(time_field, tzinfo=timezone.get_current_timezone()))
        .order_by()
        .values_list(person_field, "day")
        .annotate(count=Count("pk"))
    )
    return {(person, day): count for person, day, count in rows}


def valid_calls(employee_ids, start, end):
    """Phone calls that reached the person (file 003's 有效电话)."""
    from steward.interactions.models import Interaction

    calls = Interaction.objects.filter(channel=Interaction.Channel.CALL, is_contact=True)
    return count_by_person_and_day(calls, "employee_id", "occurred_at", employee_ids, start, end)


def contacts(employee_ids, start, end):
    """Contacts by any channel that reached the person."""
    from steward.interactions.models import Interaction

    return count_by_person_and_day(
        Interaction.objects.filter(is_contact=True), "employee_id", "occurred_at", employee_ids, start, end
    )


def new_intent_leads(employee_ids, start, end):
    """Leads that reached "intent" (意向客户) that day, counted for the one who holds them."""
    from steward.leads.models import Lead

    return count_by_person_and_day(Lead.objects.all(), "holder_id", "intent_at", employee_ids, start, end)


def valid_lead_followups(employee_ids, start, end):
    """Follow-ups on leads that count as valid (有效跟进, LEAD-10)."""
    from steward.interactions.models import Interaction

    followups = Interaction.objects.filter(lead__isnull=False, is_valid_followup=True)
    return count_by_person_and_day(followups, "employee_id", "occurred_at", employee_ids, start, end)


register_measure("valid_calls", _("Valid calls"), valid_calls)
register_measure("contacts", _("Contacts"), contacts)
register_measure("new_intent_leads", _("New intent leads"), new_intent_leads)
register_measure("valid_lead_followups", _("Valid lead follow-ups"), valid_lead_followups)
