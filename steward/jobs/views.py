from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from steward.access.services import has_permission
from steward.core.views import ObjectActionView, ObjectDetailView, ObjectListView, ServiceFormView
from steward.jobs import services
from steward.jobs.filters import JobRunFilterSet
from steward.jobs.forms import ScheduleForm
from steward.jobs.models import Job, JobRun
from steward.jobs.registry import jobs as job_registry
from steward.jobs.tables import JobRunTable, JobTable


def _permissions(user) -> dict:
    return {"can_run": has_permission(user, "jobs.job:run"), "can_change": has_permission(user, "jobs.job:change")}


class JobListView(ObjectListView):
    """The scheduling centre (自动调度中心): every system job, its cycle, state, last and next run."""

    model = Job
    permission = "jobs.job:view"
    table_class = JobTable
    template_name = "jobs/job_list.html"
    title = gettext_lazy("Scheduling centre")
    default_page_size = 50

    def get_queryset(self):
        services.sync_jobs()  # a job added by a deployment shows up even before the next migrate
        services.recover_stopped_runs_for_display()  # a run whose worker died never reads "running"
        return (
            super()
            .get_queryset()
            .filter(key__in=job_registry.keys())
            .with_last_run()
            .select_related("periodic_task__crontab", "periodic_task__interval")
        )

    def extra_context(self, request):
        return _permissions(request.user)


class JobDetailView(ObjectListView):
    """One job: what it does, its cycle and state, and its run history (paged)."""

    model = JobRun
    permission = "jobs.job:view"
    table_class = JobRunTable
    template_name = "jobs/job_detail.html"

    def get_job(self):
        if not hasattr(self, "_job"):
            self._job = get_object_or_404(
                Job.objects.visible_to(self.request.user, self.permission).select_related(
                    "periodic_task__crontab", "periodic_task__interval"
                ),
                pk=self.kwargs["pk"],
            )
        return self._job

    def get_queryset(self):
        services.recover_stopped_runs_for_display(self.get_job())
        return super().get_queryset().filter(job=self.get_job()).select_related("job", "triggered_by")

    def table_key(self):
        return "jobs.job_runs"

    def extra_context(self, request):
        job = self.get_job()
        schedule = services.schedule_of(job.periodic_task)
        spec = job.spec
        return {
            "title": job.label,
            "job": job,
            "schedule": schedule.describe() if schedule else "—",
            "default_schedule": services.default_schedule(spec).describe() if spec else "—",
            "next_run_at": services.next_run_at(job),
            "running_run_id": job.running_run_id(),
            **_permissions(request.user),
        }


class JobRunListView(ObjectListView):
    """Every run of every job, filterable by job, status, trigger and date."""

    model = JobRun
    permission = "jobs.job:view"
    table_class = JobRunTable
    filterset_class = JobRunFilterSet
    select_related = ("job", "triggered_by")
    title = gettext_lazy("Job runs")

    def get_queryset(self):
        services.recover_stopped_runs_for_display()
        return super().get_queryset()


class JobRunDetailView(ObjectDetailView):
    """A run: times, who started it, counts, progress and error. While it runs, htmx polls every 2 s."""

    model = JobRun
    permission = "jobs.job:view"
    template_name = "jobs/run_detail.html"
    select_related = ("job", "triggered_by")

    def get(self, request, *args, **kwargs):
        services.recover_stopped_runs_for_display()
        if request.htmx and not request.htmx.boosted:
            return TemplateResponse(request, "jobs/_run_status.html", {"object": self.get_object()})
        return super().get(request, *args, **kwargs)

    def extra_context(self, request, obj):
        return {"title": _("%(job)s — run #%(run)s") % {"job": obj.job.label, "run": obj.pk}}


class JobScheduleView(ServiceFormView):
    model = Job
    permission = "jobs.job:change"
    form_class = ScheduleForm
    success_message = gettext_lazy("The new run cycle is in force.")

    def get_title(self, instance):
        return _("Run cycle of %(job)s") % {"job": instance.label}

    def perform(self, form, instance):
        return services.set_schedule(self.request.user, instance, **form.schedule_arguments())


class JobRunNowView(ObjectActionView):
    model = Job
    permission = "jobs.job:run"

    def act(self, request, obj):
        self.run = services.run_job_now(request.user, obj)
        return _("Run #%(run)s of %(job)s was queued.") % {"run": self.run.pk, "job": obj.label}

    def post(self, request, *args, **kwargs):
        self.run = None
        response = super().post(request, *args, **kwargs)
        if self.run is not None:
            return HttpResponseRedirect(self.run.get_absolute_url())
        return response


class JobPauseView(ObjectActionView):
    model = Job
    permission = "jobs.job:change"

    def act(self, request, obj):
        paused = request.POST.get("paused") == "1"
        services.set_paused(request.user, obj, paused)
        if paused:
            return _("%(job)s is paused: the schedule will not start it until it is resumed.") % {"job": obj.label}
        return _("%(job)s is active again.") % {"job": obj.label}
