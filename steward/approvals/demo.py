"""Demo applications on top of the demo bank (steward/org/demo.py): something in every inbox.

Needs the seed roles to grant the approvals permissions (permissions.SEED_ROLE_PERMISSIONS).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from steward.access.models import RoleAssignment
from steward.approvals import services
from steward.approvals.models import Application
from steward.org.models import Employee


def _sub_branch_manager(team_member: Employee) -> Employee | None:
    assignment = (
        RoleAssignment.objects.current()
        .filter(role__code="branch_manager", org=team_member.org.parent)
        .select_related("user")
        .first()
    )
    return assignment.user if assignment else None


@transaction.atomic
def seed_demo_approvals(rm_login: str = "rm", lead_login: str = "lead", now=None) -> int:
    """A few applications of the first demo team in every state; returns how many were created.

    rm: a pending leave (waiting for lead), an activity proposal approved by lead and waiting
    for the sub-branch manager, a rejected leave; rm's colleague: an approved leave;
    lead: a pending leave waiting for the sub-branch manager. Safe to re-run.
    """
    if Application.objects.exists():
        return 0
    rm = Employee.objects.filter(employee_no=rm_login).select_related("org").first()
    lead = Employee.objects.filter(employee_no=lead_login).select_related("org").first()
    if rm is None or lead is None:
        return 0
    colleague = Employee.objects.filter(org=rm.org, position="rm").exclude(pk=rm.pk).first()
    now = now or timezone.now()
    today = timezone.localdate(now)

    def day(offset: int) -> str:
        return (today + dt.timedelta(days=offset)).isoformat()

    def workday(offset: int) -> str:
        """The business day on or after today + offset: a leave must take at least one (a demo
        seeded on a Monday once asked for a Saturday and Sunday off, which the leave form refuses)."""
        from steward.basedata.calendar import is_business_day, next_business_day

        candidate = today + dt.timedelta(days=offset)
        return (candidate if is_business_day(candidate) else next_business_day(candidate)).isoformat()

    def at(hours_ago: int):
        return now - dt.timedelta(hours=hours_ago)

    created = []
    created.append(
        services.submit(
            rm,
            "approvals.leave",
            reason="孩子学校家长会，需请假一天。",
            payload={"leave_type": "personal", "start_date": workday(7), "end_date": workday(7)},
            now=at(2),
        )
    )
    proposal = services.submit(
        rm,
        "approvals.activity_proposal",
        reason="回馈高净值客户，推广新发行的理财产品。",
        payload={
            "name": "春季财富沙龙",
            "activity_date": day(21),
            "budget": "18000.00",
            "description": "地点：支行贵宾室；邀请客户约30人；含茶歇与讲师费用。",
        },
        now=at(30),
    )
    services.approve(lead, proposal, comment="活动方案可行，请支行审批预算。", now=at(26))
    created.append(proposal)
    rejected = services.submit(
        rm,
        "approvals.leave",
        reason="外出旅游。",
        payload={"leave_type": "annual", "start_date": day(-20), "end_date": day(-16)},
        now=at(24 * 30),
    )
    services.reject(lead, rejected, comment="月末考核期间，请调整假期时间。", now=at(24 * 29))
    created.append(rejected)
    if colleague is not None:
        approved = services.submit(
            colleague,
            "approvals.leave",
            reason="感冒发烧，附医院证明。",
            payload={"leave_type": "sick", "start_date": workday(-4), "end_date": workday(-4)},
            now=at(24 * 4),
        )
        services.approve(lead, approved, comment="注意休息。", now=at(24 * 4 - 1))
        created.append(approved)
    if _sub_branch_manager(lead) is not None:
        created.append(
            services.submit(
                lead,
                "approvals.leave",
                reason="年度体检。",
                payload={"leave_type": "annual", "start_date": workday(10), "end_date": workday(10)},
                now=at(5),
            )
        )
    return len(created)
