"""TASK-01 … TASK-04: `make demo` has task categories and a task of each type for the demo RM's team,
the demo RM holding open, drawn, picked, done and skipped items; their home shows "My tasks";
re-running adds nothing."""

from steward.customers.tests.factories import CustomerFactory
from steward.org.demo import BankSize, build_bank
from steward.org.models import Employee
from steward.tasks.demo import seed_demo_tasks
from steward.tasks.models import Task, TaskCategory, TaskItem


def test_seed_demo_tasks_gives_the_demo_rm_items_of_every_type(db, client):
    build_bank(BankSize(branches=1, sub_branches_per_branch=1, teams_per_sub_branch=1, rms_per_team=3))
    rm = Employee.objects.get(employee_no="rm")
    colleague = Employee.objects.filter(org=rm.org, position="rm").exclude(pk=rm.pk).first()
    for n in range(16):
        CustomerFactory(org=rm.org, owner=rm if n % 2 else colleague, gender="F" if n % 4 < 2 else "M")

    assert seed_demo_tasks() > 0
    assert seed_demo_tasks() == 0

    assert TaskCategory.objects.count() == 5 and TaskCategory.objects.filter(active=False).count() == 1
    assert {
        Task.Type.SYSTEM_ASSIGNED,
        Task.Type.RANDOM_DRAW,
        Task.Type.ACTIVE_PICK,
        Task.Type.RE_SERVICE,
    } <= set(Task.objects.values_list("type", flat=True))
    mine = TaskItem.objects.filter(assignee=rm)
    assert mine.filter(status="open").exists() and mine.filter(status="done").exists()
    assert TaskItem.objects.filter(status="skipped").count() == 1
    assert mine.filter(task__type=Task.Type.RANDOM_DRAW).count() == 2
    assert mine.filter(task__type=Task.Type.ACTIVE_PICK).count() == 1
    assert TaskItem.objects.filter(assignee=colleague).exists()

    client.force_login(rm)
    widget = client.get("/").content.decode().split('data-testid="my-tasks"')[1]
    assert "年末存量客户回访" in widget and "my-tasks-draw-next" in widget
