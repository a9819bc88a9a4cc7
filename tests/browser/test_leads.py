"""Potential customers in a real browser, in Chinese and English (LEAD-01, LEAD-02): an RM enters
a lead, mistypes the number, fixes it without retyping the rest, and finds the lead held by them
with the number's region; a marketing manager reads the list without the add button."""

import os

import pytest
from playwright.sync_api import expect

from steward.org.demo import DEMO_PASSWORD, BankSize, build_bank
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = os.environ.get("STEWARD_SCREENSHOTS")


@pytest.fixture
def demo(transactional_db):
    build_bank(BankSize(branches=1, sub_branches_per_branch=1, teams_per_sub_branch=1, rms_per_team=1))


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_a_chinese_rm_enters_a_lead_and_fixes_a_mistyped_number(zh_page, demo):
    page = zh_page
    log_in(page, "rm", DEMO_PASSWORD)
    page.goto(page.base_url + "/leads/")
    expect(page.locator("h1, .page-title").first).to_contain_text("潜在客户")
    page.get_by_test_id("add-button").click()
    page.fill('[name="name"]', "赵女士")
    page.fill('[name="campaign"]', "开门红")
    page.fill('[name="mobile"]', "1391234")
    page.get_by_test_id("save").click()
    expect(page.locator("#form-wrapper")).to_contain_text("请输入有效的手机号码")
    assert page.input_value('[name="name"]') == "赵女士" and page.input_value('[name="campaign"]') == "开门红"
    shot(page, "lead-add-error-zh")
    page.fill('[name="mobile"]', "13912345678")
    page.get_by_test_id("save").click()
    expect(page.locator("body")).to_contain_text("潜在客户已保存。")
    expect(page.get_by_test_id("lead-mobile")).to_contain_text("江苏省")
    expect(page.get_by_test_id("lead-mobile")).not_to_contain_text("13912345678")
    expect(page.get_by_test_id("lead-stage")).to_contain_text("新建")
    shot(page, "lead-detail-zh")


def test_an_english_marketing_manager_reads_the_list_without_the_add_button(page, demo):
    from steward.leads.models import Lead
    from steward.org.models import Employee

    rm = Employee.objects.get(employee_no="rm")
    Lead.objects.create(
        name="Mr Qian", mobile="13710001000", mobile_province="广东省", org=rm.org, holder=rm, source="manual"
    )
    log_in(page, "marketing", DEMO_PASSWORD)
    page.goto(page.base_url + "/leads/")
    table = page.locator("#list-table")
    expect(table).to_contain_text("Mr Qian")
    expect(table).to_contain_text("Entered by hand")
    expect(table).not_to_contain_text("13710001000")
    expect(page.get_by_test_id("add-button")).to_have_count(0)
    shot(page, "lead-list-en")
