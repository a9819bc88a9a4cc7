import django_tables2 as tables
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from steward.core.tables import StewardTable
from steward.tasks.models import Task, TaskCategory, TaskItem


class TaskTable(StewardTable):
    title = tables.Column(verbose_name=_("title"), linkify=True)
    category = tables.Column(verbose_name=_("category"), accessor="category__name")
    org = tables.Column(verbose_name=_("org"), accessor="org__name")
    created_by = tables.Column(verbose_name=_("created by"), accessor="created_by__name", default="—")
    created_at = tables.DateTimeColumn(verbose_name=_("created at"), format="Y-m-d H:i")
    due_on = tables.DateColumn(verbose_name=_("due on"), format="Y-m-d", default="—")
    required_columns = ("title",)

    class Meta(StewardTable.Meta):
        model = Task
        fields = (
            "title",
            "category",
            "type",
            "subject",
            "source",
            "org",
            "status",
            "due_on",
            "created_by",
            "created_at",
        )


class TaskCategoryTable(StewardTable):
    name = tables.Column(verbose_name=_("name"))
    active = tables.BooleanColumn(verbose_name=_("active"))
    required_columns = ("name",)

    class Meta(StewardTable.Meta):
        model = TaskCategory
        fields = ("name", "active", "created_at")

    def render_name(self, value, record):
        from steward.access.services import has_permission
        from steward.tasks.permissions import CATEGORY_CHANGE

        # The edit link only for those who may change categories.
        if has_permission(self.request.user, CATEGORY_CHANGE):
            return format_html('<a href="{}">{}</a>', record.get_absolute_url(), value)
        return value


class MyItemTable(StewardTable):
    """The user's open items, each linked to the page where it is finished."""

    subject = tables.Column(verbose_name=_("customer"), accessor="pk", orderable=False)
    task = tables.Column(
        verbose_name=_("task"), accessor="task__title", linkify=lambda record: record.get_absolute_url()
    )
    task_type = tables.Column(verbose_name=_("type"), accessor="task__type")
    due_on = tables.DateColumn(verbose_name=_("due on"), accessor="task__due_on", format="Y-m-d", default="—")
    taken_at = tables.DateTimeColumn(verbose_name=_("taken at"), format="Y-m-d H:i", default="—")
    required_columns = ("subject", "task")

    class Meta(StewardTable.Meta):
        model = TaskItem
        fields = ("subject", "task", "task_type", "status", "due_on", "taken_at")

    def render_subject(self, value, record):
        return format_html('<a href="{}">{}</a>', record.get_absolute_url(), record.subject_name)

    def value_subject(self, value, record):
        return record.subject_name

    def render_task_type(self, value, record):
        return record.task.get_type_display()


class PoolItemTable(StewardTable):
    """An active-pick task's untaken items, each with its Pick button."""

    subject = tables.Column(verbose_name=_("customer"), accessor="pk", orderable=False)
    added_at = tables.DateTimeColumn(verbose_name=_("added at"), format="Y-m-d H:i")
    pick = tables.Column(verbose_name="", accessor="pk", orderable=False, exclude_from_export=True)
    required_columns = ("subject", "pick")

    class Meta(StewardTable.Meta):
        model = TaskItem
        fields = ("subject", "added_at")

    def render_subject(self, value, record):
        return record.subject_name

    def render_pick(self, value, record):
        return format_html(
            '<form method="post" action="{}" class="m-0"><input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<button class="btn btn-sm btn-primary" data-testid="pick">{}</button></form>',
            reverse("tasks:item_pick", args=[record.pk]),
            get_token(self.request),
            _("Pick"),
        )
