from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.response import Response

from steward.core.api import ReadOnlyScopedViewSet, ScopedModelViewSet
from steward.jobs import services
from steward.jobs.api.serializers import JobRunSerializer, JobSerializer, RunNowSerializer, ScheduleSerializer
from steward.jobs.filters import JobRunFilterSet
from steward.jobs.models import Job, JobRun
from steward.jobs.registry import jobs as job_registry


class JobViewSet(ScopedModelViewSet):
    """System jobs, addressed by key (`/api/v1/jobs/audit.verify_chain/`): cycle, state, last and next run.

    `POST …/run/` queues a run now, `…/pause/` and `…/resume/` switch the schedule off and on,
    `…/schedule/` sets a new cycle (`{"crontab": "0 3 * * *"}` or `{"every": 6, "period": "hours"}`).
    """

    queryset = Job.objects.all()
    serializer_class = JobSerializer
    permission_base = "jobs.job"
    lookup_field = "key"
    lookup_value_regex = r"[a-z0-9_]+(?:\.[a-z0-9_]+)+"
    filterset_fields = ["key"]
    ordering_fields = ["key"]
    http_method_names = ["get", "post", "head", "options"]

    def required_permission_for(self, request):
        if self.action == "create":
            return "jobs.job:change"  # refused below; the name only decides 403 versus 405
        return super().required_permission_for(request)

    def get_queryset(self):
        services.sync_jobs()
        services.recover_stopped_runs_for_display()
        return (
            super()
            .get_queryset()
            .filter(key__in=job_registry.keys())
            .with_last_run()
            .select_related("periodic_task__crontab", "periodic_task__interval")
        )

    def create(self, request, *args, **kwargs):
        raise MethodNotAllowed("POST")

    @extend_schema(request=RunNowSerializer, responses={202: JobRunSerializer})
    @action(detail=True, methods=["post"], required_permission="jobs.job:run")
    def run(self, request, key=None):
        payload = RunNowSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        run = services.run_job_now(request.user, self.get_object(), now=payload.validated_data.get("now"))
        run.refresh_from_db()  # in eager mode it has already finished
        return Response(JobRunSerializer(run).data, status=202)

    @extend_schema(request=None, responses=JobSerializer)
    @action(detail=True, methods=["post"], required_permission="jobs.job:change")
    def pause(self, request, key=None):
        services.pause_job(request.user, self.get_object())
        return Response(JobSerializer(self.get_queryset().get(key=key)).data)

    @extend_schema(request=None, responses=JobSerializer)
    @action(detail=True, methods=["post"], required_permission="jobs.job:change")
    def resume(self, request, key=None):
        services.resume_job(request.user, self.get_object())
        return Response(JobSerializer(self.get_queryset().get(key=key)).data)

    @extend_schema(request=ScheduleSerializer, responses=JobSerializer)
    @action(detail=True, methods=["post"], required_permission="jobs.job:change")
    def schedule(self, request, key=None):
        payload = ScheduleSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        services.set_schedule(
            request.user,
            self.get_object(),
            crontab=data.get("crontab"),
            every=data.get("every"),
            period=data.get("period") or None,
        )
        return Response(JobSerializer(self.get_queryset().get(key=key)).data)


class JobRunViewSet(ReadOnlyScopedViewSet):
    """Every recorded run: `?job=audit.verify_chain&status=failed&trigger=schedule`."""

    queryset = JobRun.objects.all()
    serializer_class = JobRunSerializer
    permission_base = "jobs.job"
    filterset_class = JobRunFilterSet
    select_related = ("job", "triggered_by")
    ordering_fields = ["queued_at", "started_at", "finished_at"]

    def get_queryset(self):
        services.recover_stopped_runs_for_display()  # a run whose worker died never reads "running"
        return super().get_queryset()
