"""The holiday calendar in a real browser, in Chinese and English (DESIGN business-day rules,
PLT-06): the administrator pastes a year's holidays, fixes a wrong line without retyping the
rest, adds a day worked in lieu, and reads the list; a marketing manager reads it without buttons."""

import os

import pytest
from playwright.sync_api import expect

from steward.org.demo import DEMO_PASSWORD, BankSize, build_bank
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = os.environ.get("STEWARD_SCREENSHOTS")  # a folder: save what the test saw, for a person to look at


@pytest.fixture
def demo(transactional_db):
    build_bank(BankSize(branches=1, sub_branches_per_branch=1, teams_per_sub_branch=1, rms_per_team=1))


def shot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_a_chinese_administrator_pastes_the_holidays_and_fixes_a_wrong_line(zh_page, demo):
    page = zh_page
    log_in(page, "admin", DEMO_PASSWORD)
    page.goto(page.base_url + "/basedata/holiday-calendar/")
    expect(page.get_by_test_id("calendar-rule")).to_contain_text("周一至周五为工作日")
    page.get_by_test_id("calendar-import").click()
    lines = "2026-10-01..2026-10-07 | 休 | 国庆节 | National Day\n2026-10-10 | 班 | 国庆节调休上班\n2026-10-12 | 班"
    page.fill('[name="lines"]', lines)
    page.get_by_test_id("save").click()
    expect(page.locator("#form-wrapper")).to_contain_text("第 3 行：2026-10-12 是周一至周五，本就是工作日")
    assert page.input_value('[name="lines"]') == lines  # nothing typed is lost
    shot(page, "calendar-paste-error-zh")
    page.fill('[name="lines"]', lines.rsplit("\n", 1)[0])
    page.get_by_test_id("save").click()
    expect(page.locator("body")).to_contain_text("已登记 8 天。")
    page.goto(page.base_url + "/basedata/holiday-calendar/?year=2026")
    table = page.locator("#list-table")
    expect(table).to_contain_text("国庆节调休上班")
    expect(table).to_contain_text("调休上班日")
    expect(table).to_contain_text("星期六")
    expect(table.locator("tbody tr")).to_have_count(8)
    shot(page, "calendar-list-zh")


def test_an_english_reader_sees_the_calendar_without_buttons(page, demo):
    from steward.basedata.demo import HOLIDAYS_2026
    from steward.basedata.services import import_calendar_lines
    from steward.org.models import Employee

    import_calendar_lines(Employee.objects.get(employee_no="admin"), HOLIDAYS_2026)
    log_in(page, "marketing", DEMO_PASSWORD)
    page.goto(page.base_url + "/basedata/holiday-calendar/?year=2026&kind=workday")
    table = page.locator("#list-table")
    expect(table.locator("tbody tr")).to_have_count(6)
    expect(table).to_contain_text("National Day (worked in lieu)")
    expect(table).to_contain_text("Saturday")
    expect(page.get_by_test_id("calendar-import")).to_have_count(0)
    expect(page.get_by_test_id("add-button")).to_have_count(0)
    edit_links = (
        "[...document.querySelectorAll('#list-table a')].filter(a => /holiday-calendar\\/\\d+\\//.test(a.href)).length"
    )
    assert page.evaluate(edit_links) == 0
    shot(page, "calendar-list-en-reader")
