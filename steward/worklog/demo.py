"""Demo: a fortnight of the demo RM's plans and journal, and their team lead's week plan."""

import datetime as dt

from django.utils import timezone

from steward.org.models import Employee
from steward.worklog.models import WorkEntry, WorkflowStep, WorkflowTemplate

RM_DAYS = [
    ("plan", "回访三位到期理财客户", "确认续作意向，介绍新发行的稳健型产品。"),
    ("journal", "完成五位客户电话回访", "两位有续作意向，一位需要面谈。"),
    ("plan", "拜访重点客户王先生", "带上资产配置建议书。"),
    ("journal", "客户沙龙邀约", "已邀约八位客户参加周六的财富沙龙。"),
]


def seed_demo_worklog(now=None) -> int:
    rm = Employee.objects.filter(employee_no="rm").first()
    lead = Employee.objects.filter(employee_no="lead").first()
    if rm is None or WorkEntry.objects.exists():
        return 0
    today = timezone.localdate(now)
    entries = []
    for offset in range(-10, 4):
        day = today + dt.timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        kind, title, details = RM_DAYS[offset % len(RM_DAYS)]
        if kind == "journal" and day > today:
            kind = "plan"
        entries.append(
            WorkEntry(owner=rm, kind=kind, period="day", on=day, title=title, details=details, is_done=day < today)
        )
    monday = today - dt.timedelta(days=today.weekday())
    entries.append(WorkEntry(owner=rm, kind="plan", period="week", on=monday, title="本周：到期客户全部回访"))
    if lead is not None:
        entries.append(
            WorkEntry(owner=lead, kind="plan", period="week", on=monday, title="本周：团队重点客户覆盖率达到 90%")
        )
    WorkEntry.objects.bulk_create(entries)
    return len(entries) + _seed_workflows(rm, now)


def _seed_workflows(rm, now) -> int:
    """A standard workflow for new key customers, running on three of the demo RM's customers."""
    from steward.customers.models import Customer
    from steward.worklog.services import save_template, start_workflow

    admin = Employee.objects.filter(employee_no="admin").first()
    if admin is None:
        return 0
    template = save_template(
        admin,
        WorkflowTemplate(
            name="新晋重点客户",
            name_en="New key customer",
            description="客户首次进入重点客户名单后的标准服务流程。",
        ),
        "电话联系，了解近况 | 3\n上门拜访 | 14\n提交资产配置建议 | 20",
    )
    save_template(
        admin,
        WorkflowTemplate(name="理财到期续作", name_en="Maturing wealth product"),
        "到期前提醒客户 | 0\n确认续作意向 | 2\n办理续作或赎回 | 5",
    )
    customers = list(Customer.objects.filter(owner=rm).order_by("cif").values_list("pk", flat=True)[:3])
    if not customers:
        return 2
    started = start_workflow(rm, template, customers, now=now)
    first = WorkflowStep.objects.filter(run__customer_id=customers[0], order=1).first()
    if first is not None:
        first.done_at = timezone.now()
        first.done_by = rm
        first.note = "客户近况良好，约定下周拜访。"
        first.save(update_fields=["done_at", "done_by", "note"])
    return 2 + started
