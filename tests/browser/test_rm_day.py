"""The RM's day end to end in a real browser (issue 14's done-when: reminder → contact plan →
interaction → workbench; SVC-01, SVC-03, SVC-04, SVC-05, SVC-07, DAT-05).

The RM finds a customer's birthday on the wealth calendar, turns it into a contact plan in one
click (the form comes filled in), sees the plan on the workbench's agenda for today, records the
call from the plan, and the workbench then counts the contact — while the reminder, planned,
no longer asks to be acted on. Once in English, once in Chinese.
"""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from steward.contactplans.models import ContactPlan
from steward.customers.models import Customer
from steward.customers.tests.factories import CustomerFactory
from steward.holdings.models import Reminder
from steward.interactions.models import Interaction
from steward.org.demo import DEMO_PASSWORD, BankSize, build_bank
from steward.org.models import Employee
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def birthday(transactional_db):
    """The demo RM (seed role "relationship manager") and a customer whose birthday is today."""
    build_bank(BankSize(branches=1, sub_branches_per_branch=1, teams_per_sub_branch=1, rms_per_team=2))
    rm = Employee.objects.get(employee_no="rm")
    customer = CustomerFactory(org=rm.org, owner=rm, name="王晓明")
    today = timezone.localdate()
    reminder = Reminder.objects.create(
        kind=Reminder.Kind.BIRTHDAY, customer=customer, owner=rm, due_on=today, data_date=today
    )
    return customer, reminder


def walk_the_day(page, customer, reminder, *, birthday_label, plan_label, purpose, summary):
    today = timezone.localdate()
    log_in(page, "rm", DEMO_PASSWORD)

    # The calendar: the birthday is an entry; "Plan a contact" opens the plan form filled in.
    page.goto(f"{page.base_url}/agenda/?date={today.isoformat()}")
    expect(page.locator("#calendar[data-loading='0']")).to_have_count(1)
    page.locator("#calendar .fc-event", has_text=f"{birthday_label} · 王晓明").first.click()
    action = page.get_by_test_id("entry-action-plan_contact")
    expect(action).to_have_text(plan_label)
    action.click()
    expect(page.locator("textarea[name=customers]")).to_have_value(customer.cif)
    expect(page.locator("input[name=reminder]")).to_have_value(str(reminder.pk))
    # Today, late enough to still be ahead: the workbench lists today's plans.
    page.locator("input[name=planned_at]").fill(f"{today.isoformat()}T23:30")
    page.locator("select[name=channel]").select_option("call")
    page.locator("input[name=purpose]").fill(purpose)
    page.get_by_test_id("save").click()
    expect(page.locator(".alert-success")).to_be_visible()

    reminder.refresh_from_db()
    assert reminder.state == Reminder.State.DONE  # planned: nothing left to act on
    plan = ContactPlan.objects.get(customer=customer)
    assert plan.status == ContactPlan.Status.PLANNED

    # The workbench: today's agenda lists the plan; the contacts figure is 0 of 1 planned.
    page.goto(f"{page.base_url}/")
    agenda_plan = page.get_by_test_id("agenda-plan").filter(has_text=purpose)
    expect(agenda_plan).to_be_visible()
    expect(page.get_by_test_id("book-contacts")).to_have_text("0 / 1")
    expect(page.get_by_test_id("customer-reminders")).not_to_contain_text("王晓明")

    # From the plan: record the call.
    agenda_plan.click()
    page.locator("select[name=outcome]").select_option("reached")
    page.locator("textarea[name=summary]").fill(summary)
    page.get_by_test_id("complete-plan").click()
    expect(page.get_by_test_id("plan-contact")).to_contain_text(summary)

    contact = Interaction.objects.get(customer=customer)
    assert contact.channel == Interaction.Channel.CALL and contact.is_contact
    assert Customer.objects.get(pk=customer.pk).last_contact_at == contact.occurred_at

    # Back on the workbench: the plan is done, the contact counted.
    page.goto(f"{page.base_url}/")
    expect(page.get_by_test_id("book-contacts")).to_have_text("1 / 1")
    expect(page.get_by_test_id("agenda-plan").filter(has_text=purpose)).to_have_count(0)

    # The 360° view's service history shows the call.
    page.goto(f"{page.base_url}{customer.get_absolute_url()}?tab=service")
    expect(page.locator("body")).to_contain_text(summary)


def test_reminder_to_plan_to_contact_to_workbench_in_english(page, birthday):
    customer, reminder = birthday
    walk_the_day(
        page,
        customer,
        reminder,
        birthday_label="Birthday",
        plan_label="Plan a contact",
        purpose="Birthday call",
        summary="Wished a happy birthday; asked about the maturing deposit",
    )


def test_reminder_to_plan_to_contact_to_workbench_in_chinese(zh_page, birthday):
    customer, reminder = birthday
    walk_the_day(
        zh_page,
        customer,
        reminder,
        birthday_label="生日",
        plan_label="新建联系计划",
        purpose="生日问候",
        summary="生日问候，提及到期存款续作",
    )
