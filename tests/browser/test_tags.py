"""The bulk bar in a real browser: tick customers on a list, add them to a group, tag them."""

import pytest
from playwright.sync_api import expect

from steward.customers.demo import seed_demo_customers
from steward.org.demo import DEMO_PASSWORD, BankSize, build_bank
from steward.org.models import Employee
from steward.tags.models import CustomerTag, GroupMember
from tests.browser.conftest import CHROMIUM_AVAILABLE, IN_CI, log_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not CHROMIUM_AVAILABLE and not IN_CI, reason="Chromium not found (apt-get install chromium)"),
]


def test_an_rm_ticks_customers_and_adds_them_to_a_group_and_tags_everything_matching(page):
    from steward.tags import services
    from steward.tags.demo import seed_demo_tags

    build_bank(BankSize(branches=1, sub_branches_per_branch=1, teams_per_sub_branch=1, rms_per_team=2))
    seed_demo_customers(count=40)
    seed_demo_tags()
    rm = Employee.objects.get(employee_no="rm")
    group = services.create_group(rm, name="浏览器测试群组")
    log_in(page, "rm", DEMO_PASSWORD)
    page.goto(f"{page.base_url}/customers/")
    rows = page.locator("#list-table [data-bulk-row]")
    rows.nth(0).check()
    rows.nth(1).check()
    page.get_by_test_id("bulk-tags.group_add").click()
    page.get_by_role("button", name="浏览器测试群组").click()
    expect(page.locator(".alert")).to_contain_text("2 customers were added to 浏览器测试群组")
    assert GroupMember.objects.filter(group=group).count() == 2

    # Narrow the list with the live search, then tag every row matching it.
    first = rm.owned_customers.order_by("cif").first()
    page.fill("input[name=q]", first.cif)
    expect(page.locator("#list-table tbody tr")).to_have_count(1)
    page.get_by_test_id("bulk-select-all").check()
    page.get_by_test_id("bulk-tags.tag_add").click()
    page.get_by_role("button", name="生命周期 · 新客户").click()
    expect(page.locator(".alert")).to_contain_text("were tagged")
    assert CustomerTag.objects.filter(tag__code="new-customer", customer=first).exists()
    # The page checkbox ticks every row of the page.
    page.goto(f"{page.base_url}/customers/")
    page.get_by_test_id("bulk-page").check()
    assert page.locator("#list-table [data-bulk-row]:checked").count() == rows.count()
