"""System jobs and their runs — PLT-08 (requirement 2.28, 自动调度中心)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from steward.access.scope import ScopedManager, ScopedQuerySet
from steward.jobs.registry import jobs as job_registry

COUNT_LABELS = {
    "processed": _("processed"),
    "created": _("created"),
    "updated": _("updated"),
    "deleted": _("deleted"),
    "skipped": _("skipped"),
    "failed": _("failed"),
    "checked": _("checked"),
}


class JobQuerySet(ScopedQuerySet):
    def with_last_run(self):
        """Each job with its latest run's id, status and time (three sub-selects, no N+1)."""
        latest = JobRun.objects.filter(job=models.OuterRef("pk")).order_by("-queued_at", "-pk")
        return self.annotate(
            last_run_id=models.Subquery(latest.values("pk")[:1]),
            last_run_status=models.Subquery(latest.values("status")[:1]),
            last_run_at=models.Subquery(latest.values("queued_at")[:1]),
        )


class Job(models.Model):
    """One registered system job: its schedule (a django-celery-beat row) and its run lock.

    The row exists for every job in the registry (created after `migrate`). The lock is a
    lease: a run takes it with one conditional UPDATE ("free, or its lease has run out"),
    keeps it alive while it reports progress, and gives it back when it ends. A second run
    that finds the lock taken records itself as skipped; a worker that died leaves a lease
    that simply runs out.
    """

    key = models.CharField(_("key"), max_length=100, unique=True)
    periodic_task = models.OneToOneField(
        "django_celery_beat.PeriodicTask",
        verbose_name=_("schedule"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="steward_job",
    )
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    locked_by_run = models.ForeignKey(
        "JobRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", db_constraint=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = ScopedManager.from_queryset(JobQuerySet)()
    # Schedule changes, pauses and runs are audited as explicit events; the lock churns.
    audit_ignore = True

    class Meta:
        ordering = ["key"]
        verbose_name = _("system job")
        verbose_name_plural = _("system jobs")

    @classmethod
    def scope_q(cls, user, grant):
        # Bank-wide configuration: whoever may see the scheduling centre sees every job. (Not Q():
        # visible_to ORs the grants onto Q(pk__in=[]), and OR with an empty Q drops it.)
        return Q(pk__isnull=False)

    def __str__(self) -> str:
        return str(self.label)

    def get_absolute_url(self) -> str:
        return reverse("jobs:job_detail", args=[self.pk])

    @property
    def spec(self):
        return job_registry.get(self.key)

    @property
    def label(self):
        spec = self.spec
        return spec.label if spec else self.key

    @property
    def description(self):
        spec = self.spec
        return spec.description if spec else ""

    @property
    def enabled(self) -> bool:
        return bool(self.periodic_task_id and self.periodic_task.enabled)

    def running_run_id(self, now=None) -> int | None:
        """The run holding a live lock, if any."""
        now = now or timezone.now()
        if self.locked_until and self.locked_until > now:
            return self.locked_by_run_id
        return None


class JobRun(models.Model):
    """One run of a system job: who or what started it, when, how it ended, and what it did."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")

    FINISHED = (Status.SUCCEEDED, Status.FAILED, Status.SKIPPED)

    job = models.ForeignKey(Job, verbose_name=_("job"), on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("triggered by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty when the schedule started the run."),
    )
    queued_at = models.DateTimeField(_("queued at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    business_now = models.DateTimeField(
        _("as of"), null=True, blank=True, help_text=_("The business moment the run worked for.")
    )
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    progress_done = models.PositiveIntegerField(_("done"), null=True, blank=True)
    progress_total = models.PositiveIntegerField(_("total"), null=True, blank=True)
    message = models.TextField(_("message"), blank=True)
    error = models.TextField(_("error"), blank=True)
    worker = models.CharField(_("worker"), max_length=200, blank=True)

    objects = ScopedManager()
    # Progress writes would flood the trail; each run writes one "job.run" event when it ends.
    audit_ignore = True

    class Meta:
        ordering = ["-queued_at", "-pk"]
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        indexes = [
            models.Index(fields=["job", "-queued_at"]),
            models.Index(fields=["status", "queued_at"]),
        ]

    @classmethod
    def scope_q(cls, user, grant):
        return Q(pk__isnull=False)  # as Job: runs of bank-wide jobs

    def __str__(self) -> str:
        return f"{self.job} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("jobs:run_detail", args=[self.pk])

    @property
    def count_items(self) -> list[tuple[str, object]]:
        """The counts with labels in the reader's language (the job's own labels first)."""
        spec = job_registry.get(self.job.key)
        own = spec.count_labels if spec else {}
        return [
            (str(own.get(name) or COUNT_LABELS.get(name) or name.replace("_", " ")), value)
            for name, value in self.counts.items()
        ]

    @property
    def duration_text(self) -> str:
        duration = self.duration
        if duration is None:
            return ""
        seconds = duration.total_seconds()
        if seconds < 60:
            return f"{seconds:.1f} s"
        whole = int(seconds)
        return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"

    @property
    def error_text(self) -> str:
        """The error in the reader's language where the scheduling centre wrote it (a stopped worker);
        a job's own message or traceback as it was recorded."""
        from django.utils.translation import gettext

        return gettext(self.error) if self.error else ""

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None

    @property
    def progress_percent(self) -> int | None:
        """How far the run is, or None while that is unknown (a total of nothing to do is done
        once the run has finished)."""
        if self.progress_total:
            return min(100, int(100 * (self.progress_done or 0) / self.progress_total))
        if self.progress_total == 0 and self.is_finished:
            return 100
        return None

    # Used by job functions while they run; see services.report_progress.
    def set_progress(self, done: int, total: int | None = None) -> None:
        """Record how far the run is (shown live on its page) and keep its lock alive."""
        from steward.jobs.services import report_progress

        report_progress(self, done, total)

    def add_counts(self, **counts: int) -> None:
        """Add to the run's counts (processed, created, updated, deleted …); saved with progress and at the end."""
        for name, value in counts.items():
            self.counts[name] = self.counts.get(name, 0) + value
