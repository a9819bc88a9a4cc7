import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from steward.core.tables import LocalDateTimeColumn, StewardTable
from steward.jobs import services
from steward.jobs.models import Job, JobRun

STATUS_COLOURS = {
    JobRun.Status.QUEUED: "secondary",
    JobRun.Status.RUNNING: "blue",
    JobRun.Status.SUCCEEDED: "green",
    JobRun.Status.FAILED: "red",
    JobRun.Status.SKIPPED: "yellow",
}


def status_badge(status: str) -> str:
    if not status:
        return "—"
    label = JobRun.Status(status).label
    return format_html(
        '<span class="badge bg-{}-lt" data-status="{}">{}</span>',
        STATUS_COLOURS.get(status, "secondary"),
        status,
        label,
    )


class JobTable(StewardTable):
    """The scheduling centre: every system job with its cycle, state, last and next run."""

    label = tables.Column(accessor="key", verbose_name=_("job"), orderable=False)
    schedule = tables.Column(accessor="periodic_task", verbose_name=_("run cycle"), orderable=False)
    enabled = tables.Column(accessor="periodic_task__enabled", verbose_name=_("state"), orderable=False)
    last_run = tables.Column(accessor="last_run_status", verbose_name=_("last run"), orderable=False)
    next_run = tables.Column(accessor="pk", verbose_name=_("next run"), orderable=False)
    actions = tables.TemplateColumn(
        template_name="jobs/_job_actions.html", verbose_name="", orderable=False, exclude_from_export=True
    )
    required_columns = ("label", "actions")

    class Meta(StewardTable.Meta):
        model = Job
        fields = ("label", "schedule", "enabled", "last_run", "next_run", "actions")
        order_by = ("key",)
        row_attrs = {"data-job": lambda record: record.key}

    def render_label(self, record):
        return format_html(
            '<a href="{}">{}</a><div class="small text-secondary"><code>{}</code></div>',
            record.get_absolute_url(),
            record.label,
            record.key,
        )

    def value_label(self, record):
        return str(record.label)

    def render_schedule(self, record):
        schedule = services.schedule_of(record.periodic_task)
        return schedule.describe() if schedule else "—"

    value_schedule = render_schedule

    def render_enabled(self, value):
        if value:
            return format_html('<span class="badge bg-green-lt">{}</span>', pgettext_lazy("job state", "Active"))
        return format_html('<span class="badge bg-yellow-lt">{}</span>', pgettext_lazy("job state", "Paused"))

    def render_last_run(self, record):
        if not record.last_run_id:
            return "—"
        url = reverse("jobs:run_detail", args=[record.last_run_id])
        when = LocalDateTimeColumn().render(record.last_run_at)
        return format_html(
            '{} <a href="{}" class="text-secondary small">{}</a>', status_badge(record.last_run_status), url, when
        )

    def render_next_run(self, record):
        moment = services.next_run_at(record)
        return LocalDateTimeColumn().render(moment) if moment else "—"


class JobRunTable(StewardTable):
    """Run history: one row per run, newest first."""

    id = tables.Column(linkify=True, verbose_name=_("run"))
    job = tables.Column(accessor="job__key", verbose_name=_("job"), order_by=("job__key",))
    status = tables.Column(verbose_name=_("status"))
    triggered_by = tables.Column(verbose_name=_("triggered by"), empty_values=())
    queued_at = LocalDateTimeColumn(verbose_name=_("queued at"), fmt="Y-m-d H:i:s")
    started_at = LocalDateTimeColumn(verbose_name=_("started at"), fmt="Y-m-d H:i:s")
    finished_at = LocalDateTimeColumn(verbose_name=_("finished at"), fmt="Y-m-d H:i:s")
    duration = tables.Column(accessor="pk", verbose_name=_("duration"), orderable=False)
    counts = tables.Column(verbose_name=_("counts"), orderable=False)
    required_columns = ("id",)

    class Meta(StewardTable.Meta):
        model = JobRun
        fields = ("id", "job", "status", "triggered_by", "queued_at", "started_at", "finished_at", "duration", "counts")
        order_by = ("-queued_at",)

    def render_id(self, value):
        return f"#{value}"

    def render_job(self, record):
        return record.job.label

    value_job = render_job

    def render_status(self, record):
        return status_badge(record.status)

    def value_status(self, record):
        return record.get_status_display()

    def render_triggered_by(self, record):
        return str(record.triggered_by) if record.triggered_by_id else _("Schedule")

    value_triggered_by = render_triggered_by

    def render_duration(self, record):
        return record.duration_text or "—"

    value_duration = render_duration

    def render_counts(self, record):
        return ", ".join(f"{label}: {value}" for label, value in record.count_items) or "—"

    value_counts = render_counts
