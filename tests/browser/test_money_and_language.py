"""PLT-12 in a real browser (issue 13, point 3): a Chinese reader sees amounts with thousands
separators, one highlighted menu entry and the product's icon."""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from steward.customers.tests.factories import CustomerFactory
from steward.org.demo import DEMO_PASSWORD, BankSize, build_bank
from steward.org.models import Employee
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def rich_customer(transactional_db):
    build_bank(BankSize(branches=1, sub_branches_per_branch=1, teams_per_sub_branch=1, rms_per_team=2))
    rm = Employee.objects.get(employee_no="rm")
    return CustomerFactory(
        org=rm.org, owner=rm, aum=Decimal("9551455.42"), avg_daily_assets_month=Decimal("1234567.80")
    )


def test_a_chinese_reader_sees_amounts_with_thousands_separators(zh_page, rich_customer):
    """PLT-12: in zh-Hans the 360° view's AUM reads ¥9,551,455.42 (it read ¥9551455.42) and the
    customer list's AUM column 9,551,455.42."""
    page = zh_page
    log_in(page, "rm", DEMO_PASSWORD)
    page.goto(f"{page.base_url}/customers/{rich_customer.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_test_id("aum")).to_have_text("¥9,551,455.42")
    page.goto(f"{page.base_url}/customers/?q={rich_customer.cif}")
    row = page.locator("#list-table tbody tr").first
    expect(row).to_contain_text("9,551,455.42")
    expect(row).to_contain_text("1,234,567.80")
    assert "9551455.42" not in page.content()


def test_one_menu_entry_is_highlighted_the_page_has_an_icon_and_a_notice_scrolls_once(zh_page, rich_customer):
    """PLT-12: on the org customer list only 机构客户 is highlighted (not also 我的客户, whose URL
    it starts with); the page's icon and /favicon.ico load; a published notice's title is in the
    banner once."""
    from django.utils import timezone

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
    page = zh_page
    log_in(page, "admin", DEMO_PASSWORD)
    page.goto(f"{page.base_url}/customers/org/")

    active = page.locator("[data-testid=main-menu] .nav-link.active")
    expect(active).to_have_count(1)
    expect(active).to_have_attribute("data-menu", "org_customers")

    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert page.request.get(page.base_url + icon).ok
    favicon = page.request.get(page.base_url + "/favicon.ico")
    assert favicon.status == 200 and favicon.headers["content-type"] == "image/svg+xml"

    banner = page.get_by_test_id("notice-banner")
    expect(banner.get_by_text("系统将于今晚升级")).to_have_count(1)
