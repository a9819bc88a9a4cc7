"""The permission matrix of the reminder centre's API (routes "reminders" and "important-dates",
SVC-03, PLT-11): reading needs the view permission, acting `holdings.reminder:act`, entering and
changing important dates `holdings.important_date:change`; a refused call changes nothing."""

import pytest
from rest_framework.test import APIClient

from steward.customers.tests.factories import CustomerFactory
from steward.holdings.models import ImportantDate, Reminder
from steward.holdings.tests.factories import ReminderFactory
from steward.testing import grant

VIEW, ACT = "holdings.reminder:view", "holdings.reminder:act"
DATE_VIEW, DATE_CHANGE = "holdings.important_date:view", "holdings.important_date:change"


@pytest.fixture
def reminder(bank):
    return ReminderFactory(customer=CustomerFactory(org=bank.north_team, owner=bank.north_rm))


def as_user(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.mark.parametrize(
    ("permissions", "list_status", "act_status"),
    [((), 403, 403), ((VIEW,), 200, 403), ((ACT,), 403, 200), ((VIEW, ACT), 200, 200)],
)
def test_each_reminder_endpoint_needs_its_own_permission(bank, reminder, permissions, list_status, act_status):
    if permissions:
        grant(bank.north_rm, *permissions, scope="own")
    client = as_user(bank.north_rm)

    assert client.get("/api/v1/reminders/").status_code == list_status
    assert client.post(f"/api/v1/reminders/{reminder.pk}/act/", {"action": "done"}).status_code == act_status
    reminder.refresh_from_db()
    assert reminder.state == ("done" if act_status == 200 else "open")
    # A reminder is raised by the data, never written through the API.
    assert client.delete(f"/api/v1/reminders/{reminder.pk}/").status_code in (403, 405)
    assert Reminder.objects.filter(pk=reminder.pk).exists()


@pytest.mark.parametrize(
    ("permissions", "list_status", "add_status"),
    [((), 403, 403), ((DATE_VIEW,), 200, 403), ((DATE_CHANGE,), 403, 201)],
)
def test_each_important_date_endpoint_needs_its_own_permission(bank, reminder, permissions, list_status, add_status):
    if permissions:
        grant(bank.north_rm, *permissions, scope="own")
    client = as_user(bank.north_rm)
    payload = {"customer": reminder.customer_id, "date": "1990-05-20", "label": "结婚纪念日", "yearly": True}

    assert client.get("/api/v1/important-dates/").status_code == list_status
    assert client.post("/api/v1/important-dates/", payload, format="json").status_code == add_status
    assert ImportantDate.objects.exists() == (add_status == 201)


def test_an_important_date_for_a_customer_outside_the_scope_is_refused(bank, reminder):
    """SVC-03: the customer must be in the caller's data scope (400 naming the field)."""
    grant(bank.south_rm, DATE_VIEW, DATE_CHANGE, scope="own")
    response = as_user(bank.south_rm).post(
        "/api/v1/important-dates/",
        {"customer": reminder.customer_id, "date": "1990-05-20", "label": "x"},
        format="json",
    )
    assert response.status_code == 400 and "customer" in response.json()
    assert not ImportantDate.objects.exists()


def test_an_anonymous_caller_is_refused(bank, reminder):
    assert APIClient().get("/api/v1/reminders/").status_code == 401
    assert APIClient().post(f"/api/v1/reminders/{reminder.pk}/act/", {"action": "done"}).status_code == 401
    assert APIClient().get("/api/v1/important-dates/").status_code == 401
    reminder.refresh_from_db()
    assert reminder.state == "open"
