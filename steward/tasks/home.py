"""The home page's "My tasks" (TASK-02): the open items assigned to me, by task, the next task due,
and the random-draw tasks I may draw from now (with Draw next)."""

from django.db.models import Count, F, Min, Q
from django.utils.translation import gettext_lazy as _

from steward.core.home import HomeWidget, register_widget
from steward.tasks.permissions import WORK

LISTED = 6  # tasks listed with my open items; the rest are counted ("and N more")


def my_tasks(request):
    from steward.tasks import services
    from steward.tasks.models import Task, TaskItem

    user = request.user
    mine = TaskItem.objects.visible_to(user, WORK).filter(assignee=user, status=TaskItem.Status.OPEN)
    by_task = list(
        mine.values("task_id", "task__title", "task__due_on", "task__type")
        .annotate(open=Count("pk"), first_taken=Min("taken_at"))
        .order_by(F("task__due_on").asc(nulls_last=True), "task_id")
    )
    drawable = list(
        services.takeable_tasks(user)
        .filter(type=Task.Type.RANDOM_DRAW)
        .annotate(
            untaken=Count("items", filter=Q(items__status=TaskItem.Status.OPEN, items__assignee__isnull=True)),
            held=Count("items", filter=Q(items__status=TaskItem.Status.OPEN, items__assignee=user)),
        )
        .filter(untaken__gt=0)
        .order_by(F("due_on").asc(nulls_last=True), "pk")[:LISTED]
    )
    for task in drawable:
        task.at_cap = task.max_open_per_agent is not None and task.held >= task.max_open_per_agent
    next_due = next((row for row in by_task if row["task__due_on"] is not None), None)
    return {
        "tasks": by_task[:LISTED],
        "more_tasks": max(0, len(by_task) - LISTED),
        "open_total": sum(row["open"] for row in by_task),
        "next_due": next_due,
        "drawable": drawable,
    }


register_widget(HomeWidget("my_tasks", _("My tasks"), WORK, "tasks/widgets/my_tasks.html", my_tasks, order=6))
