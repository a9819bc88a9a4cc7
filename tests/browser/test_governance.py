"""Governance as people use it: unmasking one value, the notice banner, an application approved."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from steward.audit.models import AuditEntry
from steward.org.demo import DEMO_PASSWORD, BankSize, build_bank
from steward.org.models import Employee
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo_bank(transactional_db):
    build_bank(BankSize(branches=2, sub_branches_per_branch=1, teams_per_sub_branch=1, rms_per_team=2))


def test_an_auditor_unmasks_one_mobile_number_and_the_reveal_is_in_the_audit_trail(page, demo_bank):
    rm = Employee.objects.get(employee_no="rm")
    log_in(page, "auditor", DEMO_PASSWORD)
    page.goto(f"{page.base_url}/org/employees/{rm.pk}/")
    mobile = page.locator("[data-testid=mobile]")
    expect(mobile).to_contain_text("****")
    assert rm.mobile not in mobile.inner_text()

    mobile.locator("[data-testid=unmask]").click()

    expect(mobile.locator("[data-testid=revealed]")).to_have_text(rm.mobile)
    page.goto(f"{page.base_url}/audit/?action=privacy.unmasked")
    expect(page.locator("#list-table tbody tr").first).to_contain_text("Personal data revealed")  # by its label
    assert AuditEntry.objects.filter(action="privacy.unmasked", object_id=str(rm.pk)).count() == 1


def test_an_rm_without_the_unmask_permission_gets_no_reveal_button(page, demo_bank):
    log_in(page, "rm", DEMO_PASSWORD)
    rm = Employee.objects.get(employee_no="rm")
    page.goto(f"{page.base_url}/org/employees/{rm.pk}/")
    expect(page.locator("[data-testid=mobile]")).to_contain_text("****")
    expect(page.locator("[data-testid=unmask]")).to_have_count(0)


def test_a_published_notice_scrolls_in_the_banner_and_is_read_from_the_bell(page, demo_bank):
    from steward.notices.models import Notice
    from steward.org.models import Org

    Notice.objects.create(
        title="系统将于今晚升级",
        body="22:00 起暂停服务一小时。",
        valid_from=timezone.now(),
        org=Org.objects.get(code="HO"),
        author=Employee.objects.get(employee_no="admin"),
        is_published=True,
    )
    log_in(page, "rm", DEMO_PASSWORD)
    expect(page.locator("[data-testid=notice-banner-item]").first).to_have_text("系统将于今晚升级")
    expect(page.locator("[data-testid=notifications]")).to_contain_text("1")

    # With reduced motion the banner stands still (and can be clicked like any link).
    page.emulate_media(reduced_motion="reduce")
    page.locator("[data-testid=notice-banner-item]").first.click()
    expect(page.locator("[data-testid=notice-body]")).to_contain_text("暂停服务")
    page.goto(page.base_url + "/")
    expect(page.locator("[data-testid=notifications]")).not_to_contain_text("1")


def test_an_rm_applies_for_leave_and_their_team_lead_approves_it(page, demo_bank):
    log_in(page, "rm", DEMO_PASSWORD)
    page.goto(page.base_url + "/approvals/new/approvals.leave/")
    start = timezone.localdate() + dt.timedelta(days=7)
    page.select_option("select[name=leave_type]", index=1)
    page.fill("input[name=start_date]", start.isoformat())
    page.fill("input[name=end_date]", (start + dt.timedelta(days=2)).isoformat())
    page.fill("textarea[name=reason]", "家中有事")
    page.click("[data-testid=save]")
    expect(page.locator("[data-testid=status]")).to_have_text(re.compile("Pending|待审批|审批中"))
    detail_url = page.url

    page.context.clear_cookies()
    log_in(page, "lead", DEMO_PASSWORD)
    page.goto(page.base_url + "/approvals/inbox/")
    expect(page.locator("#list-table tbody tr")).to_have_count(1)
    page.goto(detail_url)
    page.click("[data-testid=approve]")
    expect(page.locator("[data-testid=message]").first).to_be_visible()
    page.goto(detail_url)
    expect(page.locator("[data-testid=status]")).to_have_text(re.compile("Approved|已批准|已通过"))
    assert AuditEntry.objects.filter(action="approvals.approved").count() == 1
