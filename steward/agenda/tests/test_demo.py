"""The demo calendar (SVC-03, SVC-04): the demo RM sees reminders of every kind across this month
and next and a few notes of their own; a second run adds nothing."""

import datetime as dt

from django.utils import timezone

from steward.agenda.demo import month_span, seed_demo_agenda
from steward.agenda.models import CalendarNote
from steward.customers.tests.factories import CustomerFactory
from steward.holdings.models import Reminder
from steward.org.demo import BankSize, build_bank
from steward.org.models import Employee


def test_the_demo_rm_has_a_filled_calendar(db, client):
    build_bank(BankSize(branches=1, sub_branches_per_branch=1, teams_per_sub_branch=1, rms_per_team=2))
    rm = Employee.objects.get(employee_no="rm")
    for _ in range(24):
        CustomerFactory(org=rm.org, owner=rm)

    assert seed_demo_agenda() > 0
    assert seed_demo_agenda() == 0

    first, last = month_span(timezone.localdate())
    mine = Reminder.objects.filter(customer__owner=rm)
    assert set(mine.values_list("kind", flat=True)) == set(Reminder.Kind.values)
    assert all(first <= due <= last for due in mine.values_list("due_on", flat=True))
    assert mine.filter(due_on__gt=first.replace(day=28) + dt.timedelta(days=4)).exists()  # next month too
    assert CalendarNote.objects.filter(owner=rm).count() >= 3

    client.force_login(rm)
    types = set()
    middle = first + dt.timedelta(days=42)
    for start, end in ((first, middle), (middle, last + dt.timedelta(days=1))):
        response = client.get("/agenda/entries/", {"start": start.isoformat(), "end": end.isoformat()})
        assert response.status_code == 200
        types |= {event["extendedProps"]["type"] for event in response.json()}
    assert types == {"note", *(f"reminder.{kind}" for kind in Reminder.Kind.values)}
