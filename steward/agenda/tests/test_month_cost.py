"""SVC-04 at size (issue 14: the month view of an RM with 2,000 customers, p95 ≤ 100 ms): a month
full of reminders, contact plans and notes costs the same number of queries as a nearly empty one,
and the links made without reversing each URL are the ones `reverse()` gives."""

import datetime as dt
from urllib.parse import parse_qs

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from steward.agenda.models import CalendarNote
from steward.agenda.registry import UrlFor
from steward.contactplans.models import ContactPlan
from steward.customers.tests.factories import CustomerFactory
from steward.holdings.models import Reminder
from steward.testing import grant

CALENDAR = (
    "customers.customer:view",
    "holdings.reminder:view",
    "holdings.reminder:act",
    "agenda.calendar:view",
    "agenda.note:view",
    "agenda.note:change",
    "contactplans.plan:view",
    "contactplans.plan:add",
)


def fill_month(rm, org, customers: int, first: dt.date) -> list:
    """`customers` customers of `rm`, each with a reminder, a contact plan and a note this month."""
    made = []
    for k in range(customers):
        customer = CustomerFactory(org=org, owner=rm)
        day = first + dt.timedelta(days=k % 28)
        at = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
        Reminder.objects.create(
            kind=("birthday", "ipo", "large_txn")[k % 3],
            customer=customer,
            owner=rm,
            subject=f"S{k}",
            text="C" if k % 3 == 2 else "",
            amount=100 if k % 3 else None,
            state=("open", "done", "snoozed")[k % 3],
            snoozed_until=day + dt.timedelta(days=40) if k % 3 == 2 else None,
            due_on=day,
            data_date=first,
        )
        ContactPlan.objects.create(customer=customer, owner=rm, planned_at=at, channel="call", purpose=f"p{k}")
        CalendarNote.objects.create(owner=rm, title=f"n{k}", starts_at=at, customer=customer, all_day=k % 2 == 0)
        made.append(customer)
    return made


def month_of(client, first):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(
            reverse("agenda:entries"), {"start": first.isoformat(), "end": (first + dt.timedelta(days=42)).isoformat()}
        )
    assert response.status_code == 200
    return response.json(), len(queries)


@pytest.mark.django_db
def test_a_full_month_costs_the_queries_of_an_empty_one(bank, client):
    """SVC-04: 30 customers' reminders, plans and notes cost the same queries as one customer's; every
    entry links its own page and its customer's (as reverse() gives them), with its kind's label."""
    first = timezone.localdate().replace(day=1)
    busy, quiet = bank.north_rm, bank.south_rm
    for rm in (busy, quiet):
        grant(rm, *CALENDAR, scope="own")
    customers = fill_month(busy, bank.north_team, 30, first)
    fill_month(quiet, bank.south_team, 1, first)

    client.force_login(quiet)
    month_of(client, first)  # (the first request of a session also stamps it)
    few, quiet_queries = month_of(client, first)
    client.force_login(busy)
    month_of(client, first)
    many, busy_queries = month_of(client, first)

    assert len(few) == 3 and len(many) == 90
    assert busy_queries == quiet_queries
    mine = {c.pk for c in customers}
    for event in many:
        props = event["extendedProps"]
        assert props["customer"]["id"] in mine
        assert props["customer"]["url"] == reverse("customers:customer_detail", args=[props["customer"]["id"]])
        kind, pk = event["id"].rsplit("-", 1)
        page = {"reminder": "holdings:reminder_detail", "plan": "contactplans:plan_detail", "note": "agenda:note_edit"}
        assert props["url"] == reverse(page[kind], args=[int(pk)])
        if kind == "reminder":
            assert props["act_url"] == reverse("holdings:reminder_act", args=[int(pk)])
            assert props["type_label"] == str(Reminder.Kind(props["type"].split(".", 1)[1]).label)
            if props.get("state") == "done":  # handled: nothing left to plan or record
                assert props["actions"] == []
            else:
                plan = next(a["url"] for a in props["actions"] if a["key"] == "plan_contact")
                path, _sep, query = plan.partition("?")
                assert path == reverse("contactplans:plan_add")
                day = max(dt.date.fromisoformat(event["start"]), timezone.localdate())
                assert parse_qs(query) == {
                    "customer": [str(props["customer"]["id"])],
                    "purpose": [event["title"]],
                    "planned_at": [f"{day.isoformat()}T10:00"],
                    "reminder": [pk],
                }
    snoozed = [e for e in many if e["extendedProps"].get("state") == "snoozed"]
    assert snoozed and all(e["extendedProps"]["state_label"].startswith("Snoozed until") for e in snoozed)


def test_url_for_formats_what_reverse_gives():
    """The calendar's links: one reverse per source call, the same URL for every primary key."""
    detail = UrlFor("holdings:reminder_detail")
    for pk in (1, 42, 2147483646, 9_000_000_000):
        assert detail(pk) == reverse("holdings:reminder_detail", args=[pk])
