"""SVC-04 in a real browser: the wealth calendar's month view shows the RM's reminders and notes,
switches to the week view, hides an entry type when its box is unticked and shows an entry when
clicked — in English and in Chinese (FullCalendar speaks the interface language)."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from steward.agenda.models import CalendarNote
from steward.customers.tests.factories import CustomerFactory
from steward.holdings.models import Reminder
from steward.org.demo import DEMO_PASSWORD, BankSize, build_bank
from steward.org.models import Employee
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def agenda(transactional_db):
    """The demo RM with a customer's birthday and IPO reminders and a note, all in one week."""
    build_bank(BankSize(branches=1, sub_branches_per_branch=1, teams_per_sub_branch=1, rms_per_team=2))
    rm = Employee.objects.get(employee_no="rm")
    customer = CustomerFactory(org=rm.org, owner=rm, name="王晓明")
    # A Wednesday two weeks ahead: the month and the week views both show it.
    day = timezone.localdate() + dt.timedelta(days=14)
    day -= dt.timedelta(days=day.weekday() - 2)
    for kind, text in (("birthday", ""), ("ipo", "科创板新股申购")):
        Reminder.objects.create(
            kind=kind, customer=customer, owner=rm, due_on=day, data_date=timezone.localdate(), text=text
        )
    starts = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    CalendarNote.objects.create(
        owner=rm, title="客户拜访", starts_at=starts, ends_at=starts + dt.timedelta(hours=1), customer=customer
    )
    return day


def open_calendar(page, day):
    log_in(page, "rm", DEMO_PASSWORD)
    page.goto(f"{page.base_url}/agenda/?date={day.isoformat()}")
    expect(page.locator("#calendar[data-loading='0']")).to_have_count(1)


def event(page, text):
    return page.locator("#calendar .fc-event", has_text=text)


def test_the_month_and_week_views_show_and_filter_the_entries_in_english(page, agenda):
    """SVC-04: month view with the reminders and the note; week view; unticking "Birthday" hides
    the birthday and keeps the rest; clicking an entry shows it with its customer."""
    open_calendar(page, agenda)
    expect(page.locator(".fc-dayGridMonth-view")).to_be_visible()
    expect(event(page, "Birthday · 王晓明")).to_be_visible()
    expect(event(page, "IPO subscription · 王晓明")).to_be_visible()
    expect(event(page, "客户拜访")).to_be_visible()

    page.click(".fc-timeGridWeek-button")
    expect(page.locator(".fc-timeGridWeek-view")).to_be_visible()
    expect(event(page, "Birthday · 王晓明")).to_be_visible()
    expect(event(page, "客户拜访")).to_be_visible()

    page.get_by_test_id("type-reminder.birthday").uncheck()
    expect(event(page, "Birthday · 王晓明")).to_have_count(0)
    expect(event(page, "IPO subscription · 王晓明")).to_be_visible()
    expect(event(page, "客户拜访")).to_be_visible()

    event(page, "IPO subscription").click()
    modal = page.get_by_test_id("entry-modal")
    expect(modal).to_be_visible()
    expect(page.get_by_test_id("entry-title")).to_have_text("IPO subscription · 王晓明")
    expect(page.get_by_test_id("entry-customer")).to_have_text("王晓明")
    expect(page.get_by_test_id("entry-done")).to_be_visible()


def test_the_calendar_speaks_chinese_to_a_chinese_reader(zh_page, agenda):
    """SVC-04: in zh-Hans FullCalendar's buttons, the type boxes and the entries read in Chinese."""
    page = zh_page
    open_calendar(page, agenda)
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.locator(".fc-today-button")).to_have_text("今天")
    expect(page.locator(".fc-timeGridWeek-button")).to_have_text("周")
    expect(event(page, "王晓明").first).to_be_visible()

    page.click(".fc-timeGridWeek-button")
    expect(page.locator(".fc-timeGridWeek-view")).to_be_visible()
    page.get_by_test_id("type-note").uncheck()
    expect(event(page, "客户拜访")).to_have_count(0)
    expect(event(page, "王晓明").first).to_be_visible()
