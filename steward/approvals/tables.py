import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from steward.approvals.models import Application
from steward.approvals.registry import application_types
from steward.core.tables import LocalDateTimeColumn, StewardTable

STATUS_BADGES = {
    Application.Status.PENDING: "bg-yellow-lt",
    Application.Status.APPROVED: "bg-green-lt",
    Application.Status.REJECTED: "bg-red-lt",
    Application.Status.WITHDRAWN: "bg-secondary-lt",
}


class ApplicationTable(StewardTable):
    id = tables.Column(verbose_name=_("No."), linkify=True)
    title = tables.Column(verbose_name=_("title"), linkify=True)
    type = tables.Column(verbose_name=_("type"))
    submitter = tables.Column(verbose_name=_("submitter"), order_by=("submitter__employee_no",))
    org = tables.Column(verbose_name=_("org"), order_by=("org__path",))
    status = tables.Column(verbose_name=_("status"))
    step_label = tables.Column(verbose_name=_("current step"))
    handlers = tables.Column(verbose_name=_("handlers"), empty_values=(), orderable=False)
    submitted_at = LocalDateTimeColumn(verbose_name=_("submitted at"))
    decided_at = LocalDateTimeColumn(verbose_name=_("decided at"))
    last_error = tables.Column(verbose_name=_("last error"), visible=False)
    required_columns = ("id", "title")

    class Meta(StewardTable.Meta):
        model = Application
        fields = (
            "id",
            "title",
            "type",
            "submitter",
            "org",
            "status",
            "step_label",
            "handlers",
            "submitted_at",
            "decided_at",
            "last_error",
        )
        order_by = ("-submitted_at",)
        row_attrs = {"data-application": lambda record: record.pk}

    def render_type(self, value):
        return application_types.label(value)

    value_type = render_type

    def render_submitter(self, value):
        return value.name

    value_submitter = render_submitter

    def render_org(self, value):
        return value.name

    value_org = render_org

    def render_status(self, value, record):
        badge = format_html(
            '<span class="badge {}">{}</span>', STATUS_BADGES.get(record.status, ""), record.get_status_display()
        )
        if record.last_error and record.is_pending:
            badge += format_html(' <i class="ti ti-alert-triangle text-danger" title="{}"></i>', record.last_error)
        return badge

    def value_status(self, value, record):
        return record.get_status_display()

    def render_step_label(self, value, record):
        return value if record.is_pending else "—"

    def value_step_label(self, value, record):
        return value if record.is_pending else ""

    def render_handlers(self, record):
        if not record.is_pending:
            return "—"
        return ", ".join(person.name for person in record.handlers.all()) or "—"

    def value_handlers(self, record):
        return ", ".join(person.name for person in record.handlers.all()) if record.is_pending else ""


class MyApplicationTable(ApplicationTable):
    class Meta(ApplicationTable.Meta):
        exclude = ("submitter", "org")


class InboxTable(ApplicationTable):
    class Meta(ApplicationTable.Meta):
        exclude = ("decided_at", "handlers", "status")
        order_by = ("submitted_at",)
