"""Assigned tasks (issue 15, TASK-04): creating a task over 100,000 customers.

`task-create`: 100,000 customers (BENCH_TASK_CUSTOMERS; written once by one INSERT … SELECT over
generate_series, spread over the bank's teams and RMs), and a head-office manager who sees them all.
Timed: `steward.tasks.services.create_task` — a system-assigned task, fixed source (the segment
language's empty condition: every live, non-confidential customer of the bank), even distribution
to 200 RMs: the checks, the items written by the database (INSERT … SELECT from the customers
query), the audit summaries, the assignees' leave read and the dealing (one UPDATE per RM and chunk).
Untimed between runs: the previous run's task and items deleted. Checked: exactly one item per
customer, every item dealt, each RM 500 ± 1. PostgreSQL only (the issue's figure is PostgreSQL's).
"""

from __future__ import annotations

import os

from bench.registry import scenario

NOT_HTTP = (None,)
MAX_RUNS = 5
RMS = 200
CUSTOMERS = int(os.environ.get("BENCH_TASK_CUSTOMERS", "100000"))
MARK = "BT"  # cif prefix of the customers written here


def _insert_customers(count: int, orgs: list[int], owners: list[int]) -> None:
    """`count` live customers, one INSERT … SELECT over generate_series (as bench/scenarios/lead_reclaim.py)."""
    from django.db import connection
    from django.utils import timezone

    from steward.customers.models import Customer

    org_array = "ARRAY[" + ",".join(map(str, orgs)) + "]::bigint[]"
    owner_array = "ARRAY[" + ",".join(map(str, owners)) + "]::bigint[]"
    explicit = {
        "created_at": "%(now)s",
        "updated_at": "%(now)s",
        "cif": f"'{MARK}' || lpad(g::text, 10, '0')",
        "name": "'任务客户' || g",
        "id_type": "'01'",
        "gender": "'U'",
        "mobile": "'138' || lpad(g::text, 8, '0')",
        "mobile_index": "'138' || lpad(g::text, 8, '0')",
        "kyc_status": "'pending'",
        "status": "'active'",
        "org_id": f"({org_array})[1 + mod(g, {len(orgs)})]",
        "owner_id": f"({owner_array})[1 + mod(g, {len(owners)})]",
    }
    columns, values = [], []
    for field in Customer._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(field.column)
        if field.column in explicit:
            values.append(explicit[field.column])
        elif field.null:
            values.append("NULL")
        elif field.get_internal_type() == "BooleanField":
            values.append("false")
        else:
            values.append("''")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {Customer._meta.db_table} ({', '.join(columns)}) SELECT {', '.join(values)} "
            f"FROM generate_series(1, {count}) AS g",
            {"now": timezone.now()},
        )
        cursor.execute(f"ANALYZE {Customer._meta.db_table}")


@scenario("task-create", "a system-assigned task over 100,000 customers dealt to 200 RMs (TASK-04)")
def task_create(ctx):
    from django.db import connection
    from django.db.models import Count

    from steward.customers.models import Customer
    from steward.org.models import Employee, Org
    from steward.tasks import services
    from steward.tasks.models import Task, TaskCategory, TaskItem
    from steward.tasks.permissions import MANAGE, VIEW
    from steward.testing import grant

    if connection.vendor != "postgresql":
        ctx.note("task-create runs on PostgreSQL only (the issue's figure is PostgreSQL's).")
        return
    head = Org.objects.filter(parent__isnull=True).order_by("pk").first()
    teams = list(Org.objects.filter(kind=Org.Kind.TEAM).order_by("pk").values_list("pk", flat=True))
    rms = list(Employee.objects.filter(position="rm", status="active").order_by("pk").values_list("pk", flat=True))
    ctx.check(bool(teams) and len(rms) >= RMS, f"the bench bank has {len(rms)} RMs, {RMS} wanted")
    live = Customer.objects.filter(status__in=["active", "dormant"], is_confidential=False)
    missing = CUSTOMERS - live.count()
    if missing > 0:
        _insert_customers(missing, teams, rms)
    expected = live.count()
    manager = Employee.objects.filter(employee_no="BENCH-TASKS").first() or Employee.objects.create(
        employee_no="BENCH-TASKS", name="任务管理岗", org=head, password="!"
    )
    grant(manager, MANAGE, VIEW, "customers.customer:view", scope="subtree", org=head)
    category, _ = TaskCategory.objects.get_or_create(name="bench")
    agents = rms[:RMS]
    made: list[int] = []

    def reset():
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {TaskItem._meta.db_table} WHERE task_id IN "
                f"(SELECT id FROM {Task._meta.db_table} WHERE category_id = %s)",
                [category.pk],
            )
        Task.assignees.through.objects.filter(task__category=category).delete()
        Task.objects.filter(category=category).delete()
        with connection.cursor() as cursor:
            cursor.execute("CHECKPOINT")

    def run(_state):
        task = services.create_task(
            manager,
            title="bench: every customer",
            category=category,
            org=head,
            type=Task.Type.SYSTEM_ASSIGNED,
            condition={"op": "and", "rules": []},
            method=Task.Method.EVEN,
            assignee_ids=agents,
        )
        made.append(task.pk)

    runs, warmup = ctx.runs, ctx.warmup
    ctx.runs, ctx.warmup = min(runs, MAX_RUNS), 0
    try:
        measured = ctx.measure(
            f"create a system-assigned task over {expected:,} customers, even to {RMS} RMs",
            run,
            setup=reset,
            expect_status=NOT_HTTP,
            count_statements_only=True,
        )
    finally:
        ctx.runs, ctx.warmup = runs, warmup
    items = TaskItem.objects.filter(task_id=made[-1])
    total = items.count()
    ctx.check(total == expected, f"{total:,} items for {expected:,} customers")
    ctx.check(not items.filter(assignee__isnull=True).exists(), "items left undealt")
    shares = list(items.values("assignee_id").annotate(n=Count("pk")).values_list("n", flat=True))
    ctx.check(
        len(shares) == RMS and max(shares) - min(shares) <= 1, f"shares {min(shares)}–{max(shares)} over {len(shares)}"
    )
    seconds = measured.median_ms / 1000
    ctx.note(
        f"{connection.vendor}: a task over {expected:,} customers dealt evenly to {RMS} RMs; median of "
        f"{measured.runs} runs {seconds:.2f} s ({expected / seconds:,.0f} items/s), {measured.queries:,} "
        f"statements; shares {min(shares)}–{max(shares)} per RM."
    )
