"""PLT-12: one English word, two meanings, two Chinese words (issue 13, point 3d).

"From" headed both the leave form's start date (开始日期) and the ownership history's previous
owner, so 管户历史 read 开始日期 | 新客户经理. Each use now carries a context (pgettext).
"""

from django.test import Client
from django.utils import timezone, translation

from steward.approvals.forms import LeaveForm
from steward.customers.models import OwnershipChange
from steward.customers.tests.factories import CustomerFactory
from steward.testing import grant


def test_the_ownership_history_reads_previous_and_new_owner(bank):
    """PLT-12: 管户历史's columns are 原客户经理 → 新客户经理, never 开始日期."""
    customer = CustomerFactory(org=bank.north_team, owner=bank.north_rm2)
    OwnershipChange.objects.create(
        customer=customer,
        kind=OwnershipChange.Kind.TRANSFER,
        from_owner=bank.north_rm,
        to_owner=bank.north_rm2,
        changed_at=timezone.now(),
    )
    grant(bank.north_manager, "customers.customer:view", "customers.tab:ownership", scope="subtree")
    browser = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    browser.force_login(bank.north_manager)

    page = browser.get(f"/customers/{customer.pk}/tab/ownership/").content.decode()

    assert "<th>原客户经理</th><th>新客户经理</th>" in page
    assert "开始日期" not in page


def test_the_leave_form_still_reads_start_date(db):
    """PLT-12: the leave application's "From" keeps its own word, 开始日期."""
    with translation.override("zh-hans"):
        assert str(LeaveForm().fields["start_date"].label) == "开始日期"
    with translation.override("en"):
        assert str(LeaveForm().fields["start_date"].label) == "From"
