"""Demo: a month of the demo RM's contact plans — done, overdue and coming — and two flagged key customers."""

import datetime as dt

from django.utils import timezone

from steward.contactplans.models import ContactPlan, KeyCustomerFlag
from steward.customers.models import Customer
from steward.org.models import Employee

PURPOSES = ["理财到期续作沟通", "生日问候", "资产配置回顾", "新发基金推介", "风险评估到期提醒"]
CHANNELS = ["call", "visit", "wechat", "call", "branch_meeting"]


def seed_demo_contactplans(now=None) -> int:
    rm = Employee.objects.filter(employee_no="rm").first()
    if rm is None or ContactPlan.objects.exists():
        return 0
    now = now or timezone.now()
    customers = list(Customer.objects.filter(owner=rm).order_by("cif").values_list("pk", flat=True)[:40])
    plans = []
    for index, pk in enumerate(customers):
        day = timezone.localtime(now).replace(hour=9 + index % 8, minute=0, second=0, microsecond=0) + dt.timedelta(
            days=index - 20
        )
        status = ContactPlan.Status.DONE if index < 12 else ContactPlan.Status.PLANNED
        plans.append(
            ContactPlan(
                customer_id=pk,
                owner=rm,
                planned_at=day,
                channel=CHANNELS[index % len(CHANNELS)],
                purpose=PURPOSES[index % len(PURPOSES)],
                status=status,
                completed_at=day if status == ContactPlan.Status.DONE else None,
                created_by=rm,
                created_at=day - dt.timedelta(days=3),
            )
        )
    ContactPlan.objects.bulk_create(plans)
    KeyCustomerFlag.objects.bulk_create(
        [KeyCustomerFlag(customer_id=pk, flagged_by=rm, note="家族客户，需重点维护") for pk in customers[-2:]]
    )
    return len(plans) + min(2, len(customers))
