"""Issue 13 point 2 in a real browser: the approver's bell leads to an application that names its
customers (PLT-10, CUS-09); confidential access is granted and revoked on its page (CUS-10); a
role is never shown a button whose page answers 403 (PLT-03)."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from steward.customers import services
from steward.customers.demo import seed_demo_customers
from steward.customers.models import ConfidentialGrant, Customer, CustomerFigures
from steward.org.demo import DEMO_PASSWORD, BankSize, build_bank
from steward.org.models import Employee
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(transactional_db):
    build_bank(BankSize(branches=1, sub_branches_per_branch=1, teams_per_sub_branch=1, rms_per_team=2))
    seed_demo_customers(count=30)
    rm = Employee.objects.get(employee_no="rm")
    customer = Customer.objects.filter(owner=rm, is_confidential=False).order_by("cif").first()
    return rm, customer


def log_out(page):
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout").click()


def test_the_bell_leads_the_approver_to_an_application_that_names_its_customers(page, demo):
    """PLT-10 / CUS-09: submitted → the lead's bell; the application shows name and AUM; decided → the RM's bell."""
    rm, customer = demo
    colleague = Employee.objects.filter(org=rm.org, position="rm").exclude(pk=rm.pk).first()
    CustomerFigures.objects.filter(customer=customer).update(aum="2345678.90")
    services.request_transfer(rm, [customer], colleague, reason="调岗交接")

    log_in(page, "lead", DEMO_PASSWORD)
    expect(page.get_by_test_id("notifications-unread")).to_have_text("1")
    page.get_by_test_id("notifications").click()
    page.get_by_test_id("notification").first.click()
    expect(page.get_by_test_id("application-customers")).to_contain_text(customer.name)
    expect(page.get_by_test_id("application-customer-aum")).to_contain_text("2,345,678.90")
    expect(page.get_by_test_id("notifications-unread")).to_have_count(0)
    page.get_by_test_id("approve").click()
    log_out(page)

    log_in(page, "rm", DEMO_PASSWORD)
    expect(page.get_by_test_id("notifications-unread")).to_have_text("1")
    page.get_by_test_id("notifications").click()
    expect(page.get_by_test_id("personal-notifications")).to_contain_text("was approved by")


def test_a_supervisor_grants_and_revokes_confidential_access(page, demo):
    """CUS-10: the lead marks a customer confidential, grants the branch manager access until a
    date, sees the grant listed, and revokes it."""
    rm, customer = demo
    log_in(page, "lead", DEMO_PASSWORD)
    page.goto(f"{page.base_url}/customers/{customer.pk}/")
    page.get_by_test_id("confidential").click()
    page.get_by_test_id("confidential-grants").click()
    until = timezone.localdate() + dt.timedelta(days=30)
    page.fill("input[name=employee_no]", "branch")
    page.fill("input[name=expires_on]", until.isoformat())
    page.get_by_test_id("grant").click()
    expect(page.locator(".alert-success")).to_contain_text("may see this customer until")
    expect(page.get_by_test_id("grant-branch")).to_contain_text("in force")
    assert ConfidentialGrant.objects.get(customer=customer, user__employee_no="branch").expires_on == until
    page.get_by_test_id("grant-branch").get_by_test_id("revoke").click()
    expect(page.locator(".alert-success")).to_contain_text("no longer sees this customer")
    expect(page.get_by_test_id("grant-branch")).to_have_count(0)


@pytest.mark.parametrize(("login", "shown"), [("rm", True), ("auditor", False)])
def test_request_allocation_shows_only_to_whom_it_opens(page, demo, login, shown):
    """PLT-03: the auditor sees the unassigned customers without a button that would answer 403."""
    log_in(page, login, DEMO_PASSWORD)
    page.goto(f"{page.base_url}/customers/unassigned/")
    button = page.get_by_test_id("allocation-request")
    if not shown:
        expect(button).to_have_count(0)
        return
    button.click()
    expect(page).to_have_url(re.compile(r"/customers/allocation/$"))
    expect(page.locator("form textarea[name=customers]")).to_be_visible()
