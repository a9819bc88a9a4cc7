"""What a customer merge (CUS-12) does with the task items of a duplicate (TASK-02): they follow
the survivor, unless the survivor is an item of the same task already (one item per customer and
task), in which case the duplicate's item is dropped and the survivor's is kept."""

from django.utils.translation import gettext_lazy

from steward.customers.merging import register_merge_rule


def move_task_items(merge) -> None:
    from steward.tasks.models import TaskItem

    merge.move_unique(
        "task_items",
        gettext_lazy("Task items"),
        TaskItem,
        unique=("task",),
        reason=gettext_lazy("the surviving customer is an item of the same task already"),
    )


register_merge_rule("tasks.TaskItem.customer", "moves", move_task_items)
