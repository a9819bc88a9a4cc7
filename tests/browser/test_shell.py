"""The shell as people use it: logging in, the menu each role sees, guarded URLs, language switch."""

import re

import pytest
from playwright.sync_api import expect

from steward.org.demo import DEMO_PASSWORD, BankSize, build_bank
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_bank(transactional_db):
    build_bank(BankSize(branches=2, sub_branches_per_branch=1, teams_per_sub_branch=1, rms_per_team=2))


def menu_keys(page):
    return set(page.locator("[data-menu]").evaluate_all("els => els.map(e => e.dataset.menu)"))


def test_rm_and_administrator_see_different_menus(page, demo_bank):
    log_in(page, "rm", DEMO_PASSWORD)
    rm_menu = menu_keys(page)
    assert "employees" in rm_menu
    assert not {"roles", "codetables", "parameters", "online"} & rm_menu
    page.click("[data-testid=user-menu]")
    page.click("[data-testid=logout]")
    expect(page).to_have_url(re.compile(r"/login/"))

    log_in(page, "admin", DEMO_PASSWORD)
    admin_menu = menu_keys(page)
    assert {"orgs", "employees", "roles", "codetables", "parameters", "online"} <= admin_menu
    expect(page.locator("[data-widget=administration]")).to_be_visible()


def test_rm_cannot_reach_an_admin_page_by_url(page, demo_bank):
    log_in(page, "rm", DEMO_PASSWORD)
    response = page.goto(page.base_url + "/access/roles/")
    assert response.status == 403
    expect(page.locator("[data-testid=forbidden]")).to_be_visible()
    response = page.goto(page.base_url + "/basedata/parameters/1/")
    assert response.status == 403


def test_rm_sees_only_their_own_record_in_the_employee_list(page, demo_bank):
    log_in(page, "rm", DEMO_PASSWORD)
    page.click("[data-menu=employees]")
    rows = page.locator("#list-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("rm")


def test_switching_language_changes_the_interface_and_follows_the_user(page, demo_bank):
    log_in(page, "admin", DEMO_PASSWORD)
    expect(page.locator("[data-menu=employees]")).to_have_text(re.compile("Employees"))
    page.click("[data-testid=language-switch] button[value=zh-hans]")
    expect(page.locator("[data-menu=employees]")).to_have_text(re.compile("员工"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    # A new browser session (English by default) gets the user's choice back after login.
    page.context.clear_cookies()
    log_in(page, "admin", DEMO_PASSWORD)
    expect(page.locator("[data-menu=employees]")).to_have_text(re.compile("员工"))


def test_employee_list_filters_sorts_and_pages_without_full_reload(page, demo_bank):
    log_in(page, "admin", DEMO_PASSWORD)
    page.goto(page.base_url + "/org/employees/")
    page.evaluate("window.__marker = 'same page'")
    page.fill("input[name=q]", "lead")
    expect(page.locator("#list-table tbody tr")).to_have_count(1)
    assert page.evaluate("window.__marker") == "same page"  # htmx swapped only the table
    expect(page).to_have_url(re.compile(r"q=lead"))


def test_creating_an_employee_shows_field_errors_inline(page, demo_bank):
    log_in(page, "admin", DEMO_PASSWORD)
    page.goto(page.base_url + "/org/employees/add/")
    page.fill("#id_employee_no", "admin")  # already taken
    page.locator("#id_employee_no").dispatch_event("change")
    expect(page.locator("[data-testid=field-error-employee_no]")).to_be_visible()
