"""The reminder centre (SVC-03, DAT-05): reminders follow their customer's owner, are done,
dismissed or snoozed (and come back on the snooze date) from the page and the API, with buttons
only for those who may act; users outside the scope see nothing."""

import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from steward.customers import services as customer_services
from steward.customers.tests.factories import CustomerFactory
from steward.holdings import reminders
from steward.holdings.figures import raise_reminders
from steward.holdings.models import ImportantDate, Reminder
from steward.holdings.tests.factories import ImportantDateFactory
from steward.testing import grant

RM_PERMISSIONS = ("customers.customer:view", reminders.VIEW, reminders.ACT, reminders.DATE_VIEW, reminders.DATE_CHANGE)


class Book:
    def __init__(self, bank):
        self.bank = bank
        self.today = timezone.localdate()
        self.mine = CustomerFactory(org=bank.north_team, owner=bank.north_rm, name="甲客户")
        self.colleague = CustomerFactory(org=bank.north_team, owner=bank.north_rm2, name="乙客户")
        self.south = CustomerFactory(org=bank.south_team, owner=bank.south_rm, name="丙客户")
        self.birthday = self.reminder(self.mine, "birthday", 3)
        self.maturity = self.reminder(self.mine, "maturity", 10, subject="WM-1", text="稳健理财")
        self.colleagues = self.reminder(self.colleague, "card_expiry", 5, subject="1234")
        self.souths = self.reminder(self.south, "birthday", 4)
        for rm in (bank.north_rm, bank.north_rm2, bank.south_rm):
            grant(rm, *RM_PERMISSIONS, scope="own")

    def reminder(self, customer, kind, days, subject="", text=""):
        return Reminder.objects.create(
            kind=kind,
            customer=customer,
            owner=customer.owner,
            subject=subject,
            text=text,
            due_on=self.today + dt.timedelta(days=days),
            data_date=self.today - dt.timedelta(days=1),
        )


@pytest.fixture
def book(bank):
    return Book(bank)


def page_of(client, user, **query):
    client.force_login(user)
    response = client.get(reverse("holdings:reminder_list"), query)
    assert response.status_code == 200
    return response.content.decode()


def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def listed(user, **query) -> set[int]:
    response = api(user).get("/api/v1/reminders/", query)
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_a_reminder_follows_its_customer_to_the_new_owner(book, client):
    """SVC-03: after a transfer the new owner sees the customer's open reminders and the old owner
    no longer does — the reminder follows the customer, not the owner stored when it was raised."""
    bank = book.bank
    assert listed(bank.north_rm) == {book.birthday.pk, book.maturity.pk}
    assert listed(bank.north_rm2) == {book.colleagues.pk}

    grant(bank.north_manager, "customers.customer:view", "customers.customer:assign", scope="subtree")
    customer_services.assign_owner(bank.north_manager, [book.mine], bank.north_rm2, reason="RM moves desk")

    assert listed(bank.north_rm2) == {book.birthday.pk, book.maturity.pk, book.colleagues.pk}
    assert listed(bank.north_rm) == set()
    assert "甲客户" in page_of(client, bank.north_rm2)
    assert "甲客户" not in page_of(client, bank.north_rm)
    # Whom it was raised for is kept as history.
    assert Reminder.objects.get(pk=book.birthday.pk).owner == bank.north_rm


def test_done_dismiss_and_snooze_from_the_list_and_the_api(book, client):
    """SVC-03: the list's buttons and the API mark a reminder done, dismiss it or snooze it; each
    records who acted and when, and the open list no longer shows it."""
    bank = book.bank
    client.force_login(bank.north_rm)
    back = reverse("holdings:reminder_list")
    act = reverse("holdings:reminder_act", args=[book.birthday.pk])

    response = client.post(act, {"action": "done", "next": back})
    assert response.status_code == 302 and response["Location"] == back
    book.birthday.refresh_from_db()
    assert (book.birthday.state, book.birthday.is_done, book.birthday.acted_by) == ("done", True, bank.north_rm)
    assert book.birthday.acted_at is not None

    response = api(bank.north_rm).post(f"/api/v1/reminders/{book.maturity.pk}/act/", {"action": "dismiss"})
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "dismissed"
    assert listed(bank.north_rm) == set()
    assert listed(bank.north_rm, state="done") == {book.birthday.pk}
    assert listed(bank.north_rm, state="dismissed") == {book.maturity.pk}

    client.post(act, {"action": "snooze", "snooze": "1w", "next": back})
    book.birthday.refresh_from_db()
    assert (book.birthday.state, book.birthday.snoozed_until) == ("snoozed", book.today + dt.timedelta(days=7))
    assert listed(bank.north_rm, state="snoozed") == {book.birthday.pk}
    assert "Snoozed until" in page_of(client, bank.north_rm, state="snoozed")

    response = api(bank.north_rm).post(
        f"/api/v1/reminders/{book.maturity.pk}/act/", {"action": "snooze", "until": book.today.isoformat()}
    )
    assert response.status_code == 400 and "until" in response.json()
    response = api(bank.north_rm).post(f"/api/v1/reminders/{book.maturity.pk}/act/", {"action": "reopen"})
    assert response.json()["state"] == "open"
    assert listed(bank.north_rm) == {book.maturity.pk}


def test_a_snoozed_reminder_comes_back_on_its_date(book, client):
    """SVC-03: a reminder snoozed until a date is open again on that date, by itself."""
    bank = book.bank
    three_days_ago = timezone.now() - dt.timedelta(days=3)
    reminders.act_on_reminder(
        bank.north_rm, book.birthday, "snooze", until=book.today - dt.timedelta(days=1), now=three_days_ago
    )
    reminders.act_on_reminder(bank.north_rm, book.maturity, "snooze", until=book.today + dt.timedelta(days=2))

    assert listed(bank.north_rm) == {book.birthday.pk}
    assert listed(bank.north_rm, state="snoozed") == {book.maturity.pk}
    row = api(bank.north_rm).get(f"/api/v1/reminders/{book.birthday.pk}/").json()
    assert row["state"] == "open" and row["snoozed_until"] == (book.today - dt.timedelta(days=1)).isoformat()
    assert "甲客户" in page_of(client, bank.north_rm)


def test_the_buttons_show_only_to_users_who_may_act(book, client):
    """SVC-03: without holdings.reminder:act the list has no buttons and a forged POST is refused."""
    bank = book.bank
    grant(bank.north_manager, reminders.VIEW, scope="subtree")
    html = page_of(client, bank.north_manager, whose="all")
    assert "甲客户" in html and 'data-testid="reminder-actions"' not in html
    response = client.post(reverse("holdings:reminder_act", args=[book.birthday.pk]), {"action": "done"})
    assert response.status_code == 403
    assert (
        api(bank.north_manager).post(f"/api/v1/reminders/{book.birthday.pk}/act/", {"action": "done"}).status_code
        == 403
    )
    book.birthday.refresh_from_db()
    assert book.birthday.state == "open"

    html = page_of(client, bank.north_rm)
    assert 'data-testid="reminder-actions"' in html and 'data-testid="reminder-done"' in html


def test_the_bulk_bar_handles_the_ticked_reminders(book, client):
    """SVC-03: the centre's bar snoozes the ticked rows at once (one audit summary)."""
    from steward.audit.models import AuditEntry

    bank = book.bank
    client.force_login(bank.north_rm)
    source = reverse("holdings:reminder_list")
    response = client.post(
        reverse("holdings:reminder_bulk_act"),
        {"source": source, "target": "snooze_1d", "ids": [book.birthday.pk, book.maturity.pk, book.souths.pk]},
    )
    assert response.status_code == 302
    states = dict(Reminder.objects.values_list("pk", "state"))
    assert states[book.birthday.pk] == states[book.maturity.pk] == "snoozed"
    assert states[book.souths.pk] == "open"  # not on the list it was posted from
    assert AuditEntry.objects.filter(action="holdings.reminders_handled").count() == 1


def test_an_rm_outside_the_scope_sees_nothing(book, client):
    """SVC-03: another branch's RM sees none of these reminders — list (also "all in my scope"),
    page, buttons and API all answer nothing or 404."""
    bank = book.bank
    outsider = bank.south_rm
    html = page_of(client, outsider, whose="all", state="all")
    assert "甲客户" not in html and "乙客户" not in html
    assert listed(outsider, whose="all", state="all") == {book.souths.pk}
    assert client.get(reverse("holdings:reminder_detail", args=[book.birthday.pk])).status_code == 404
    assert client.post(reverse("holdings:reminder_act", args=[book.birthday.pk]), {"action": "done"}).status_code == 404
    assert api(outsider).get(f"/api/v1/reminders/{book.birthday.pk}/").status_code == 404
    assert api(outsider).post(f"/api/v1/reminders/{book.birthday.pk}/act/", {"action": "done"}).status_code == 404
    important = ImportantDateFactory(customer=book.mine)
    assert client.get(reverse("holdings:important_date_edit", args=[important.pk])).status_code == 404
    assert api(outsider).get("/api/v1/important-dates/").json()["results"] == []
    book.birthday.refresh_from_db()
    assert book.birthday.state == "open"


def raise_for(day):
    with connection.cursor() as cursor:
        return raise_reminders(cursor, day, timezone.now())


def test_risk_assessment_expiries_and_important_dates_become_reminders_once(book):
    """DAT-05, SVC-03: the daily reminders include risk-assessment expiries (the risk rating's
    expiry: the customer has no ID-document expiry) and important dates — a yearly one on its
    day this year (29 February on the 28th), a one-off on its date — once each."""
    day = dt.date(2027, 2, 22)
    mine = book.mine
    type(mine).objects.filter(pk=mine.pk).update(risk_expires_on=day + dt.timedelta(days=20), birth_date=None)
    type(mine).objects.filter(pk=book.colleague.pk).update(risk_expires_on=day + dt.timedelta(days=60))
    ImportantDate.objects.create(customer=mine, date=dt.date(2004, 2, 29), label="结婚纪念日", yearly=True)
    ImportantDate.objects.create(customer=mine, date=dt.date(2027, 2, 25), label="保单续保", yearly=False)
    ImportantDate.objects.create(customer=mine, date=dt.date(2026, 2, 25), label="去年的事", yearly=False)

    raise_for(day)
    count = Reminder.objects.count()
    raise_for(day)
    assert Reminder.objects.count() == count

    risk = Reminder.objects.get(kind="risk_expiry")
    assert (risk.customer, risk.owner, risk.due_on) == (mine, book.bank.north_rm, day + dt.timedelta(days=20))
    assert risk.get_kind_display() == "Risk assessment expiry"
    dates = Reminder.objects.filter(kind="important_date").order_by("due_on")
    assert [(r.text, r.due_on) for r in dates] == [
        ("保单续保", dt.date(2027, 2, 25)),
        ("结婚纪念日", dt.date(2027, 2, 28)),
    ]


def test_an_important_date_entered_on_its_page_raises_its_reminder_at_once(book, client):
    """SVC-03: entering an important date within the lead time raises its reminder; moving it moves
    the reminder; removing it removes the reminder nobody acted on."""
    bank = book.bank
    client.force_login(bank.north_rm)
    soon = book.today + dt.timedelta(days=2)
    response = client.post(
        reverse("holdings:important_date_add"),
        {"customer_number": book.mine.cif, "date": soon.isoformat(), "label": "子女升学", "yearly": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    important = ImportantDate.objects.get()
    assert (important.customer, important.created_by, important.yearly) == (book.mine, bank.north_rm, False)
    assert Reminder.objects.filter(kind="important_date", due_on=soon, text="子女升学").count() == 1

    later = book.today + dt.timedelta(days=40)
    response = api(bank.north_rm).patch(f"/api/v1/important-dates/{important.pk}/", {"date": later.isoformat()})
    assert response.status_code == 200, response.content
    assert not Reminder.objects.filter(kind="important_date").exists()  # 40 days: the intake raises it later

    response = client.post(
        reverse("holdings:important_date_add"),
        {"customer_number": book.south.cif, "date": soon.isoformat(), "label": "别人的客户"},
    )
    assert response.status_code == 200 and "No customer with this number" in response.content.decode()

    client.post(reverse("holdings:important_date_delete", args=[important.pk]))
    assert not ImportantDate.objects.exists()
