"""Demo assigned tasks for `manage.py seed_demo` (TASK-01 … TASK-04): categories (one retired), and
for the demo RM's team a task of each type — a year-end revisit dealt evenly to the team's RMs (the
demo RM has finished some, skipped one), a random draw over maturing customers (two drawn), an
active pick over a dynamic condition (one picked), a re-service care call to each customer's own
RM, and a follow-up of the potential customers held. Created through the one service (items
written set-based by the database); items are taken and finished with batched UPDATEs. Idempotent:
a second run adds nothing."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

SEED = 20261207
DEMO_RM = "rm"
CATEGORIES = [("客户回访", True), ("产品营销", True), ("客户关怀", True), ("潜客跟进", True), ("2025 旺季营销", False)]
OUTCOMES = [
    "已电话回访，客户对现有配置满意。",
    "客户有意向追加定期，已约下周到网点。",
    "介绍了新发理财产品，客户需考虑。",
    "客户反馈手机银行转账限额问题，已协助处理。",
]
WOMEN = {"op": "and", "rules": [{"field": "gender", "operator": "eq", "value": "F"}]}


def seed_demo_tasks(now=None) -> int:
    """Categories and tasks of every type for the demo RM's team; answers how many records."""
    from steward.org.models import Employee
    from steward.tasks.models import TaskCategory

    rm = Employee.objects.filter(employee_no=DEMO_RM).select_related("org").first()
    if rm is None or TaskCategory.objects.exists():
        return 0
    now = now or timezone.now()
    TaskCategory.objects.bulk_create([TaskCategory(name=name, active=active) for name, active in CATEGORIES])
    categories = {c.name: c for c in TaskCategory.objects.all()}
    return len(CATEGORIES) + _tasks(rm, categories, now, random.Random(SEED))


def _tasks(rm, categories, now, rng: random.Random) -> int:
    from steward.audit.services import log_bulk
    from steward.core.errors import DomainError
    from steward.org.models import Employee
    from steward.tasks import services
    from steward.tasks.models import Task, TaskItem

    # The team's lead creates them; the branch manager when the team has no lead login.
    creator = Employee.objects.filter(employee_no__in=["lead", "branch", "admin"]).order_by("employee_no")
    creator = next(
        (person for code in ("lead", "branch", "admin") for person in creator if person.employee_no == code), None
    )
    if creator is None:
        return 0
    team = list(
        Employee.objects.filter(org=rm.org, position="rm", is_active=True)
        .exclude(status__in=[Employee.Status.LEFT, Employee.Status.ON_LEAVE])
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    today = timezone.localdate(now)
    started = now - dt.timedelta(days=20)
    common = {"org": rm.org, "now": started}
    plans = [
        {
            "title": "年末存量客户回访",
            "category": categories["客户回访"],
            "type": Task.Type.SYSTEM_ASSIGNED,
            "condition": {"op": "and", "rules": []},
            "method": Task.Method.EVEN,
            "assignee_ids": team,
            "due_on": today + dt.timedelta(days=10),
            "description": "年末前逐户电话回访，了解资金安排与到期续作意向。",
        },
        {
            "title": "理财到期再营销（随机抽取）",
            "category": categories["产品营销"],
            "type": Task.Type.RANDOM_DRAW,
            "condition": WOMEN,
            "assignee_ids": team,
            "max_open_per_agent": 5,
            "due_on": today + dt.timedelta(days=5),
        },
        {
            "title": "新发稳健理财推介（主动抽取）",
            "category": categories["产品营销"],
            "type": Task.Type.ACTIVE_PICK,
            "source": Task.Source.DYNAMIC,
            "condition": {"op": "and", "rules": []},
            "assignee_ids": team,
            "max_open_per_agent": 3,
            "due_on": today + dt.timedelta(days=25),
        },
        {
            "title": "岁末客户关怀电话（再次服务）",
            "category": categories["客户关怀"],
            "type": Task.Type.RE_SERVICE,
            "condition": WOMEN,
            "due_on": today + dt.timedelta(days=14),
        },
        {
            "title": "意向潜客跟进（系统分配）",
            "category": categories["潜客跟进"],
            "type": Task.Type.SYSTEM_ASSIGNED,
            "subject": Task.Subject.LEADS,
            "condition": {"held": False},
            "method": Task.Method.RANDOM,
            "assignee_ids": team,
            "due_on": today + dt.timedelta(days=7),
        },
    ]
    tasks = []
    for plan in plans:
        try:
            tasks.append(services.create_task(creator, rng=rng, **common, **plan))
        except DomainError:  # e.g. no lead waits in the team: the demo goes on without that task
            continue
    by_title = {task.title: task for task in tasks}
    taken_at = started + dt.timedelta(hours=1)
    # The demo RM draws two items and picks one (what Draw next and Pick do, batched here).
    for title, count in (("理财到期再营销（随机抽取）", 2), ("新发稳健理财推介（主动抽取）", 1)):
        task = by_title.get(title)
        if task is None:
            continue
        untaken = list(
            TaskItem.objects.filter(task=task, assignee__isnull=True).order_by("pk").values_list("pk", flat=True)
        )
        chosen = rng.sample(untaken, min(count, len(untaken)))
        TaskItem.objects.filter(pk__in=chosen).update(assignee=rm, taken_at=taken_at)
        log_bulk("update", TaskItem, chosen, message=f"demo: task {task.pk} taken")
    # Worked items: about half of the revisit's for the demo RM, a third for colleagues; one skipped.
    revisit = by_title.get("年末存量客户回访")
    if revisit is not None:
        _finish(revisit, rm, today, rng)
    return len(tasks) + TaskItem.objects.filter(task__in=tasks).count()


def _finish(task, rm, today: dt.date, rng: random.Random) -> int:
    """Done (linked to a contact the RM recorded with that customer, when there is one) or skipped,
    on working days of the last three weeks: one UPDATE for the skipped item, one for the done."""
    from django.db.models import BigIntegerField, Case, Value, When
    from django.db.models.functions import Cast

    from steward.audit.services import log_bulk
    from steward.interactions.models import Interaction
    from steward.tasks.models import TaskItem

    items = list(TaskItem.objects.filter(task=task).order_by("pk").values_list("pk", "assignee_id", "customer_id"))
    contacts = {}
    for customer_id, employee_id, pk in (
        Interaction.objects.filter(customer_id__in=[c for _p, _a, c in items], channel=Interaction.Channel.CALL)
        .order_by("occurred_at")
        .values_list("customer_id", "employee_id", "pk")
    ):
        contacts[(customer_id, employee_id)] = pk
    done = []
    for pk, assignee_id, customer_id in items:
        share = 0.5 if assignee_id == rm.pk else 0.3
        if rng.random() < share:
            done.append((pk, contacts.get((customer_id, assignee_id))))
    if not done:
        return 0
    skipped, done = done[0], done[1:]
    stamp = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=3), dt.time(15, 30)))
    TaskItem.objects.filter(pk=skipped[0]).update(
        status=TaskItem.Status.SKIPPED, done_at=stamp, outcome_note="客户出国，年后再联系。"
    )
    finished = {}
    for index, (pk, interaction_id) in enumerate(done):
        day = today - dt.timedelta(days=1 + index % 18)
        while day.weekday() >= 5:
            day -= dt.timedelta(days=1)
        at = timezone.make_aware(dt.datetime.combine(day, dt.time(10 + index % 7, 15)))
        finished[pk] = (at, OUTCOMES[index % len(OUTCOMES)], interaction_id)
    # One UPDATE for every done item, each with its own time, note and contact.
    TaskItem.objects.filter(pk__in=list(finished)).update(
        status=TaskItem.Status.DONE,
        done_at=Case(*(When(pk=pk, then=Value(at)) for pk, (at, _n, _i) in finished.items())),
        outcome_note=Case(*(When(pk=pk, then=Value(note)) for pk, (_a, note, _i) in finished.items())),
        interaction_id=Case(
            *(When(pk=pk, then=Cast(Value(contact), BigIntegerField())) for pk, (_a, _n, contact) in finished.items()),
            output_field=BigIntegerField(),
        ),
    )
    log_bulk("update", TaskItem, [skipped[0], *(pk for pk, _ in done)], message=f"demo: task {task.pk} worked")
    return len(done) + 1
