import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from steward.core.tables import LocalDateTimeColumn, StewardTable
from steward.worklog.models import WorkEntry, WorkflowRun, WorkflowTemplate, WorkItem


class WorkEntryTable(StewardTable):
    on = tables.DateColumn(verbose_name=_("date"), format="Y-m-d")
    owner = tables.Column(verbose_name=_("employee"), accessor="owner__name", order_by=("owner__employee_no",))
    title = tables.Column(verbose_name=_("title"), linkify=True)
    updated_at = LocalDateTimeColumn(verbose_name=_("updated at"))
    required_columns = ("on", "title")

    class Meta(StewardTable.Meta):
        model = WorkEntry
        fields = ("on", "period", "kind", "owner", "title", "is_done", "updated_at")


class WorkItemTable(StewardTable):
    title = tables.Column(verbose_name=_("title"), linkify=True)
    created_by = tables.Column(
        verbose_name=_("assigned by"), accessor="created_by__name", order_by=("created_by__employee_no",)
    )
    due_on = tables.DateColumn(verbose_name=_("due on"), format="Y-m-d")
    created_at = LocalDateTimeColumn(verbose_name=_("created at"))
    required_columns = ("title",)

    class Meta(StewardTable.Meta):
        model = WorkItem
        fields = ("due_on", "title", "created_by", "created_at")


class WorkflowRunTable(StewardTable):
    customer = tables.Column(
        verbose_name=_("customer"),
        accessor="customer__name",
        linkify=lambda record: record.get_absolute_url(),
        order_by=("customer__cif",),
    )
    cif = tables.Column(verbose_name=_("customer number"), accessor="customer__cif")
    template = tables.Column(verbose_name=_("workflow"), order_by=("template__name",))
    owner = tables.Column(verbose_name=_("run by"), accessor="owner__name")
    steps_done = tables.Column(verbose_name=_("steps done"), orderable=False)
    steps_overdue = tables.Column(verbose_name=_("overdue steps"), orderable=False)
    required_columns = ("customer",)

    class Meta(StewardTable.Meta):
        model = WorkflowRun
        fields = ("customer", "cif", "template", "owner", "started_on", "status", "steps_done", "steps_overdue")

    def render_steps_done(self, value, record):
        return f"{value} / {record.steps_total}"

    def value_steps_done(self, value, record):
        return value


class WorkflowTemplateTable(StewardTable):
    display_name = tables.Column(verbose_name=_("name"), linkify=True, order_by=("name",))
    step_count = tables.Column(verbose_name=_("steps"), orderable=False)
    updated_at = LocalDateTimeColumn(verbose_name=_("updated at"))
    required_columns = ("display_name",)

    class Meta(StewardTable.Meta):
        model = WorkflowTemplate
        fields = ("display_name", "step_count", "is_active", "updated_at")
