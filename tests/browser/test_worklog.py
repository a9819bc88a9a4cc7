"""The RM's plans and the lead's guidance in a real browser, in Chinese and English (SVC-06,
SVC-13, SVC-02, SVC-08): the RM writes a plan; the team lead reads it on the RM's schedule,
sends guidance and a work item; the RM reads the guidance and reports progress."""

import os

import pytest
from playwright.sync_api import expect

from steward.org.demo import DEMO_PASSWORD, BankSize, build_bank
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = os.environ.get("STEWARD_SCREENSHOTS")


@pytest.fixture
def demo(transactional_db):
    build_bank(BankSize(branches=1, sub_branches_per_branch=1, teams_per_sub_branch=1, rms_per_team=2))


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def log_out(page):
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("logout").click()


def test_a_plan_its_guidance_and_a_work_item_in_chinese(zh_page, demo):
    page = zh_page
    log_in(page, "rm", DEMO_PASSWORD)
    page.goto(page.base_url + "/schedule/add/")
    page.fill('[name="title"]', "拜访重点客户王先生")
    page.fill('[name="details"]', "带上资产配置建议书")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("entry-details")).to_have_text("带上资产配置建议书")
    shot(page, "worklog-entry-zh")
    log_out(page)

    log_in(page, "lead", DEMO_PASSWORD)
    page.goto(page.base_url + "/schedule/")
    expect(page.get_by_test_id("schedule-people")).to_contain_text("直属下级")
    page.get_by_role("link", name="拜访重点客户王先生").click()
    page.fill('[name="text"]', "先确认客户的风险评估是否到期")
    page.get_by_test_id("give-guidance").click()
    expect(page.get_by_test_id("entry-guidance")).to_contain_text("先确认客户的风险评估是否到期")
    page.goto(page.base_url + "/schedule/work-items/add/")
    page.fill('[name="title"]', "到期客户回访")
    page.fill('[name="due_on"]', "2099-01-01")
    page.locator('[name="assignees"] option').first.click()
    page.get_by_test_id("save").click()
    expect(page.locator("#form-wrapper")).to_contain_text("截止日期须在今天至一年后之间")
    shot(page, "worklog-item-error-zh")
    log_out(page)

    log_in(page, "rm", DEMO_PASSWORD)
    expect(page.get_by_test_id("notifications-unread")).to_have_text("1")
    page.get_by_test_id("notifications").click()
    expect(page.get_by_test_id("personal-notifications")).to_contain_text("先确认客户的风险评估是否到期")


def test_the_schedule_in_english(page, demo):
    log_in(page, "lead", DEMO_PASSWORD)
    page.goto(page.base_url + "/schedule/")
    expect(page.get_by_test_id("page-title")).to_have_text("Schedule")
    expect(page.get_by_test_id("schedule-people")).to_contain_text("direct subordinate")
    page.goto(page.base_url + "/schedule/workflows/")
    expect(page.get_by_test_id("page-title")).to_have_text("Standard workflows")
    shot(page, "worklog-workflows-en")
