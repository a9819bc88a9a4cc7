"""The 360° view in a real browser: tabs loaded by htmx, the live quick search, a private note the administrator never sees."""

import re

import pytest
from playwright.sync_api import expect

from steward.customers.demo import seed_demo_customers
from steward.customers.models import Customer
from steward.org.demo import DEMO_PASSWORD, BankSize, build_bank
from steward.org.models import Employee
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo(transactional_db):
    build_bank(BankSize(branches=1, sub_branches_per_branch=1, teams_per_sub_branch=1, rms_per_team=2))
    seed_demo_customers(count=70)
    rm = Employee.objects.get(employee_no="rm")
    return rm, Customer.objects.filter(owner=rm, is_confidential=False).order_by("cif").first()


def test_an_rm_opens_the_360_view_switches_tabs_and_writes_a_private_note(page, demo):
    rm, customer = demo
    log_in(page, "rm", DEMO_PASSWORD)
    page.goto(f"{page.base_url}/customers/")
    page.fill("input[name=q]", customer.cif)  # the quick search, live
    expect(page.locator("#list-table tbody tr")).to_have_count(1)
    page.get_by_role("link", name=customer.cif).click()
    expect(page.get_by_test_id("customer-header")).to_contain_text(customer.name)
    expect(page.get_by_test_id("id-number")).to_contain_text("*")
    expect(page.get_by_test_id("tab-profile-content")).to_be_visible()  # loaded by htmx
    page.get_by_test_id("tab-transactions").click()
    expect(page.get_by_test_id("transactions-filter")).to_be_visible()  # the holdings table, in the tab
    page.get_by_test_id("tab-assets").click()
    expect(page.get_by_test_id("tab-empty")).to_be_visible()  # no daily data loaded yet
    page.get_by_test_id("tab-notes").click()
    page.fill("textarea[name=body]", "只有我能看到的备忘")
    page.check("input[name=private]")
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_test_id("notes")).to_contain_text("只有我能看到的备忘")
    expect(page.get_by_test_id("notes")).to_contain_text("private")


def test_the_administrator_does_not_see_the_private_note(page, demo):
    rm, customer = demo
    from steward.customers.services import add_note

    add_note(rm, customer, "私密备忘", private=True)
    add_note(rm, customer, "公开备忘")
    log_in(page, "admin", DEMO_PASSWORD)
    page.goto(f"{page.base_url}/customers/{customer.pk}/?tab=notes")
    expect(page.get_by_test_id("notes")).to_contain_text("公开备忘")
    expect(page.get_by_test_id("notes")).not_to_contain_text("私密备忘")


def test_the_assets_and_trend_tabs_draw_echarts_charts(page, transactional_db):
    import importlib

    from django.apps import apps

    from steward.holdings.demo import seed_demo_holdings

    # the product categories come from a data migration, which a transactional test's flush removes
    importlib.import_module("steward.holdings.migrations.0002_default_categories").create_categories(apps, None)
    build_bank(BankSize(branches=1, sub_branches_per_branch=1, teams_per_sub_branch=1, rms_per_team=2))
    seed_demo_holdings(customers=6, days=3)
    customer = (
        Customer.objects.filter(owner__isnull=False, figures__aum__gt=0, is_confidential=False).order_by("cif").first()
    )
    log_in(page, customer.owner.employee_no, DEMO_PASSWORD)
    page.goto(f"{page.base_url}/customers/{customer.pk}/?tab=assets")
    expect(page.locator("[data-testid=assets-chart] canvas")).to_be_visible()  # initialised after the htmx swap
    expect(page.get_by_test_id("holdings")).to_be_visible()
    page.get_by_test_id("tab-trend").click()
    expect(page.locator("[data-testid=trend-chart] canvas")).to_be_visible()
    page.get_by_test_id("tab-transactions").click()
    rows = page.locator("[data-testid=transactions-table] tbody tr")
    expect(rows.first).to_be_visible()
    count = rows.count()
    page.locator("[data-testid=transactions-table] thead a").first.click()  # sorting stays inside the tab
    expect(page).to_have_url(re.compile(r"/holdings/customer/\d+/transactions/\?sort="))
    expect(page.get_by_test_id("customer-header")).to_have_count(1)
    expect(rows).to_have_count(count)
