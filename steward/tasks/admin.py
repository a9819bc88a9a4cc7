"""Django admin for assigned tasks: read-only, within the data scope (TASK-01 … TASK-04). Tasks and
their items are written by the services only (steward/tasks/services.py)."""

from django.contrib import admin

from steward.access.admin import SystemWrittenAdmin
from steward.tasks.models import Task, TaskCategory, TaskItem
from steward.tasks.permissions import VIEW


@admin.register(TaskCategory)
class TaskCategoryAdmin(SystemWrittenAdmin):
    list_display = ("name", "active", "created_at")
    view_permission = VIEW


@admin.register(Task)
class TaskAdmin(SystemWrittenAdmin):
    list_display = ("title", "category", "type", "subject", "source", "org", "status", "due_on", "created_at")
    list_filter = ("type", "status", "source")
    list_select_related = ("category", "org")
    raw_id_fields = ("org", "category", "created_by", "assignees")
    view_permission = VIEW


@admin.register(TaskItem)
class TaskItemAdmin(SystemWrittenAdmin):
    list_display = ("task", "customer", "lead", "assignee", "status", "taken_at", "done_at")
    list_filter = ("status",)
    list_select_related = ("task", "customer", "lead", "assignee")
    raw_id_fields = ("task", "customer", "lead", "assignee", "interaction")
    view_permission = VIEW
