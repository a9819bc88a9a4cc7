from steward.core.filters import StewardFilterSet
from steward.tasks.models import Task, TaskCategory, TaskItem


class TaskFilterSet(StewardFilterSet):
    search_fields = ("title__icontains",)

    class Meta:
        model = Task
        fields = ["q", "status", "type", "category"]


class TaskCategoryFilterSet(StewardFilterSet):
    search_fields = ("name__icontains",)

    class Meta:
        model = TaskCategory
        fields = ["q", "active"]


class MyItemFilterSet(StewardFilterSet):
    search_fields = ("customer__name__startswith", "lead__name__startswith", "task__title__icontains")

    class Meta:
        model = TaskItem
        fields = ["q"]
