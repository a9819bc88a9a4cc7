from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from steward.jobs import services
from steward.jobs.models import Job, JobRun


class ScheduleSerializer(serializers.Serializer):
    """A run cycle: either `crontab` ("0 3 * * *", bank time zone) or `every` + `period`."""

    kind = serializers.ChoiceField(choices=["crontab", "interval"], read_only=True)
    crontab = serializers.CharField(required=False, allow_blank=True, max_length=200)
    every = serializers.IntegerField(required=False, allow_null=True)
    period = serializers.ChoiceField(choices=list(services.INTERVAL_PERIODS), required=False, allow_blank=True)
    text = serializers.CharField(read_only=True)


class RunNowSerializer(serializers.Serializer):
    now = serializers.DateTimeField(
        required=False, allow_null=True, help_text="The business moment to run for; default: when the run starts."
    )


class JobRunSerializer(serializers.ModelSerializer):
    job = serializers.CharField(source="job.key", read_only=True)
    job_label = serializers.CharField(source="job.label", read_only=True)
    triggered_by_name = serializers.SerializerMethodField()
    # In the caller's language where the scheduling centre wrote it (a worker that stopped).
    error = serializers.CharField(source="error_text", read_only=True)

    class Meta:
        model = JobRun
        fields = [
            "id",
            "job",
            "job_label",
            "status",
            "triggered_by",
            "triggered_by_name",
            "queued_at",
            "started_at",
            "finished_at",
            "business_now",
            "counts",
            "progress_done",
            "progress_total",
            "message",
            "error",
            "worker",
        ]
        read_only_fields = fields

    def get_triggered_by_name(self, run) -> str:
        return str(run.triggered_by) if run.triggered_by_id else ""


class LastRunSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    queued_at = serializers.DateTimeField()


class JobSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)
    description = serializers.CharField(read_only=True)
    enabled = serializers.BooleanField(read_only=True)
    schedule = serializers.SerializerMethodField()
    next_run_at = serializers.SerializerMethodField()
    last_run = serializers.SerializerMethodField()
    running_run = serializers.SerializerMethodField()

    class Meta:
        model = Job
        fields = ["id", "key", "label", "description", "enabled", "schedule", "next_run_at", "last_run", "running_run"]
        read_only_fields = fields

    @extend_schema_field(ScheduleSerializer(allow_null=True))
    def get_schedule(self, job):
        schedule = services.schedule_of(job.periodic_task)
        if schedule is None:
            return None
        return {
            "kind": schedule.kind,
            "crontab": schedule.crontab,
            "every": schedule.every or None,
            "period": schedule.period,
            "text": schedule.describe(),
        }

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_next_run_at(self, job):
        moment = services.next_run_at(job)
        return serializers.DateTimeField().to_representation(moment) if moment else None

    @extend_schema_field(LastRunSerializer(allow_null=True))
    def get_last_run(self, job):
        if getattr(job, "last_run_id", None) is None:
            return None
        return LastRunSerializer(
            {"id": job.last_run_id, "status": job.last_run_status, "queued_at": job.last_run_at}
        ).data

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_running_run(self, job):
        return job.running_run_id()
