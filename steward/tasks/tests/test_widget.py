"""TASK-02: the home page's "My tasks" — an RM's open items by task with the next due date and
Draw next for the random-draw tasks they may draw from; nothing of other people's items."""

import datetime as dt

from steward.tasks import services
from steward.tasks.models import Task, TaskItem
from steward.tasks.tests.conftest import NOW


def create(world, type, title, **more):
    values = {
        "title": title,
        "category": world.category,
        "org": world.north,
        "type": type,
        "customer_ids": [c.pk for c in world.north_customers],
        "assignee_ids": [world.north_rm.pk, world.north_rm2.pk],
        "now": NOW,
    }
    return services.create_task(world.north_manager, **{**values, **more})


def widget_of(client, user) -> str:
    client.force_login(user)
    page = client.get("/").content.decode()
    assert 'data-testid="my-tasks"' in page
    return page.split('data-testid="my-tasks"')[1].split('data-testid="open-my-tasks"')[0]


def test_an_rm_sees_their_open_items_by_task_and_can_draw_next(world, client):
    """TASK-02: the RM's system-assigned items are counted under their task with its due date (the
    next due), a random-draw task with items waiting offers Draw next; another RM's task is absent."""
    dealt = create(world, Task.Type.SYSTEM_ASSIGNED, "年末回访", due_on=dt.date(2026, 12, 20))
    drawable = create(world, Task.Type.RANDOM_DRAW, "理财到期抽取", due_on=dt.date(2026, 12, 31))
    theirs = create(
        world, Task.Type.SYSTEM_ASSIGNED, "别人的任务", assignee_ids=[world.north_rm2.pk], due_on=dt.date(2026, 12, 10)
    )
    mine = TaskItem.objects.filter(task=dealt, assignee=world.north_rm).count()
    assert 0 < mine < len(world.north_customers)

    widget = widget_of(client, world.north_rm)
    row = widget.split(f'data-testid="my-task-{dealt.pk}"')[1].split("</li>")[0]
    assert "年末回访" in row and f">{mine}" in row.replace(" ", "") and "12-20" in row
    assert 'data-testid="my-tasks-next-due">2026-12-20<' in widget
    assert "别人的任务" not in widget and f"my-task-{theirs.pk}" not in widget
    draw = widget.split(f'data-testid="my-tasks-draw-{drawable.pk}"')[1]
    assert "理财到期抽取" in draw and "7 waiting" in draw and 'data-testid="my-tasks-draw-next"' in draw

    # Pressing Draw next gives the RM an item of that task.
    drawn = client.post(draw.split('action="')[1].split('"')[0])
    assert drawn.status_code == 302
    assert TaskItem.objects.filter(task=drawable, assignee=world.north_rm).count() == 1


def test_someone_with_no_items_sees_none_of_other_peoples(world, client):
    """TASK-02, scope: an RM of another branch with the same permission sees no item of the north's tasks."""
    create(world, Task.Type.SYSTEM_ASSIGNED, "北方回访")
    create(world, Task.Type.RANDOM_DRAW, "北方抽取")
    widget = widget_of(client, world.south_rm)
    assert 'data-testid="my-tasks-empty"' in widget
    assert "北方" not in widget and "my-tasks-draw" not in widget
