"""The scheduling centre — PLT-08 (requirement 2.28, 自动调度中心).

Administrators change a system job's run cycle, pause and resume it, and run it now;
every run is recorded as a `JobRun`. The schedule itself lives in django-celery-beat's
`PeriodicTask` (one per job, created from the registry's default after `migrate` and
never overwritten afterwards), so the beat process — embedded in the demo worker or a
separate `celery beat` — picks every change up on its own.

`execute_job` is what the Celery task `steward.jobs.tasks.run_job` calls, in a worker or
(in tests and with eager mode) inline. It takes the job's lock with one conditional
UPDATE, so two runs of the same job never overlap: the second records itself as skipped.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import socket
import traceback
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial

from celery.schedules import crontab as celery_crontab
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop, ngettext
from django_celery_beat import validators as beat_validators
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

from steward.access.services import require_permission
from steward.audit import context as audit_context
from steward.audit.services import log_event
from steward.core.errors import DomainError
from steward.core.services import service
from steward.jobs.lease import RunKeeper
from steward.jobs.models import Job, JobRun
from steward.jobs.registry import JobFailed, SystemJob, lease_of
from steward.jobs.registry import jobs as job_registry

logger = logging.getLogger(__name__)

TASK_NAME = "steward.jobs.tasks.run_job"
# Progress is written at most this often (the page polls every 2 s); the last report always is.
PROGRESS_WRITE_EVERY = dt.timedelta(seconds=1)
# Stored as its source text and shown in the reader's language (JobRun.error_text).
WORKER_STOPPED = gettext_noop(
    "The worker stopped before the run finished (its lease ran out without a heartbeat); the job can run again."
)

# The five crontab fields in order: (name in django-celery-beat, label, allowed values).
CRON_FIELDS = (
    ("minute", gettext_lazy("minute"), "0-59"),
    ("hour", gettext_lazy("hour"), "0-23"),
    ("day_of_month", gettext_lazy("day of month"), "1-31"),
    ("month_of_year", gettext_lazy("month"), "1-12"),
    ("day_of_week", gettext_lazy("day of week"), gettext_lazy("0-6 (Sunday is 0) or mon-sun")),
)
INTERVAL_PERIODS = ("minutes", "hours", "days")
MAX_INTERVAL_EVERY = 10_000


# --- Schedules -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Schedule:
    """A run cycle: a crontab expression ("0 3 * * *") or an interval (every 5 minutes)."""

    kind: str  # "crontab" or "interval"
    crontab: str = ""
    every: int = 0
    period: str = ""

    def describe(self) -> str:
        if self.kind == "crontab":
            return _("cron %(expression)s (%(zone)s)") % {"expression": self.crontab, "zone": settings.TIME_ZONE}
        if self.period == "days":
            return ngettext("every %(n)d day", "every %(n)d days", self.every) % {"n": self.every}
        if self.period == "hours":
            return ngettext("every %(n)d hour", "every %(n)d hours", self.every) % {"n": self.every}
        return ngettext("every %(n)d minute", "every %(n)d minutes", self.every) % {"n": self.every}


def _cron_value(value) -> str:
    if isinstance(value, (set, frozenset, list, tuple)):
        return ",".join(str(v) for v in sorted(value))
    return str(value)


def default_schedule(spec: SystemJob) -> Schedule:
    """The registry's default as a `Schedule`."""
    if isinstance(spec.default_schedule, celery_crontab):
        c = spec.default_schedule
        parts = [c._orig_minute, c._orig_hour, c._orig_day_of_month, c._orig_month_of_year, c._orig_day_of_week]
        return Schedule("crontab", crontab=" ".join(_cron_value(p) for p in parts))
    seconds = int(spec.default_schedule.total_seconds())
    for period, unit in (("days", 86400), ("hours", 3600), ("minutes", 60)):
        if seconds % unit == 0:
            return Schedule("interval", every=seconds // unit, period=period)
    return Schedule("interval", every=max(1, seconds // 60), period="minutes")


def schedule_of(task: PeriodicTask | None) -> Schedule | None:
    """The schedule a PeriodicTask row holds (None for kinds the centre does not edit)."""
    if task is None:
        return None
    if task.crontab_id:
        c = task.crontab
        return Schedule("crontab", crontab=f"{c.minute} {c.hour} {c.day_of_month} {c.month_of_year} {c.day_of_week}")
    if task.interval_id:
        interval = task.interval
        if interval.period == "seconds" and interval.every % 60 == 0:
            return Schedule("interval", every=interval.every // 60, period="minutes")
        return Schedule("interval", every=interval.every, period=interval.period)
    return None


def parse_crontab(expression: str) -> dict[str, str]:
    """Five fields "minute hour day-of-month month day-of-week", checked one by one.

    The error names the field at fault, so "0 25 * * *" says the hour is wrong.
    """
    parts = (expression or "").split()
    if len(parts) != 5:
        raise DomainError(
            _(
                "A crontab has five fields separated by spaces: minute, hour, day of month, month and day of week "
                "(for example “0 3 * * *” for 03:00 every day); “%(value)s” has %(count)d."
            )
            % {"value": expression.strip(), "count": len(parts)},
            field="crontab",
        )
    spec = {}
    for value, (name, label, allowed) in zip(parts, CRON_FIELDS, strict=True):
        try:
            celery_crontab(**{name: value})  # what beat will run
            getattr(beat_validators, f"{name}_validator")(value)  # what the schedule table accepts
        except Exception:
            raise DomainError(
                _(
                    "The %(field)s field “%(value)s” is not valid: use * or numbers in %(allowed)s, "
                    "as a list (1,15), a range (8-18) or a step (*/15)."
                )
                % {"field": label, "value": value, "allowed": allowed},
                field="crontab",
            )
        spec[name] = value
    return spec


def validate_schedule(*, crontab: str | None = None, every=None, period: str | None = None) -> Schedule:
    if crontab is not None and crontab.strip():
        parse_crontab(crontab)
        return Schedule("crontab", crontab=" ".join(crontab.split()))
    if every in (None, "") and not period:
        raise DomainError(_("Give a crontab expression or an interval."), field="crontab")
    try:
        every_value = int(every)
    except (TypeError, ValueError):
        raise DomainError(_("The interval must be a whole number."), field="every")
    if not 1 <= every_value <= MAX_INTERVAL_EVERY:
        raise DomainError(_("The interval must be between 1 and %(max)d.") % {"max": MAX_INTERVAL_EVERY}, field="every")
    if period not in INTERVAL_PERIODS:
        raise DomainError(_("The interval unit must be minutes, hours or days."), field="period")
    return Schedule("interval", every=every_value, period=period)


def _apply_schedule(task: PeriodicTask, schedule: Schedule, using: str = DEFAULT_DB_ALIAS) -> None:
    if schedule.kind == "crontab":
        fields = dict(parse_crontab(schedule.crontab), timezone=settings.TIME_ZONE)
        row = CrontabSchedule.objects.using(using).filter(**fields).order_by("pk").first()
        if row is None:
            row = CrontabSchedule(**fields)
            row.save(using=using)
        task.crontab, task.interval = row, None
    else:
        row = (
            IntervalSchedule.objects.using(using)
            .filter(every=schedule.every, period=schedule.period)
            .order_by("pk")
            .first()
        )
        if row is None:
            row = IntervalSchedule(every=schedule.every, period=schedule.period)
            row.save(using=using)
        task.interval, task.crontab = row, None
    task.solar = task.clocked = None


def next_run_at(job: Job, now: dt.datetime | None = None) -> dt.datetime | None:
    """When beat will next start the job (an estimate; None while paused)."""
    task = job.periodic_task
    if task is None or not task.enabled or not (task.crontab_id or task.interval_id):
        return None
    now = now or timezone.now()
    last = task.last_run_at or now
    try:
        remaining = task.schedule.remaining_estimate(last)
    except Exception:  # an odd row edited in the Django admin must not break the page
        logger.warning("Cannot estimate the next run of %s", job.key, exc_info=True)
        return None
    moment = max(now, now + remaining)
    # Beat's estimate lands a hair before the due second (02:59:59.9996 for 03:00).
    return moment.replace(microsecond=0) + dt.timedelta(seconds=1) if moment.microsecond else moment


# --- Keeping jobs and schedule rows in step with the registry --------------------------------


def ensure_job(key: str, using: str = DEFAULT_DB_ALIAS) -> Job:
    """The job's row and its PeriodicTask, created from the registry's default when missing.

    An existing PeriodicTask (named after the key) is adopted as it is: whatever an
    administrator changed stays.
    """
    spec = job_registry.get(key)
    if spec is None:
        raise DomainError(_("No system job is registered under “%(key)s”.") % {"key": key})
    job = Job.objects.using(using).select_related("periodic_task").filter(key=key).first()
    if job is not None and job.periodic_task_id is not None:
        return job
    try:
        with transaction.atomic(using=using):
            job, _created = Job.objects.using(using).get_or_create(key=key)
            task = PeriodicTask.objects.using(using).filter(name=key).first()
            if task is None:
                task = PeriodicTask(name=key, task=TASK_NAME, args=json.dumps([key]))
                with translation.override("en"):
                    task.description = str(spec.description)
                _apply_schedule(task, default_schedule(spec), using)
                task.save(using=using)
            job.periodic_task = task
            job.save(using=using, update_fields=["periodic_task"])
    except IntegrityError:  # another process created them at the same moment
        job = Job.objects.using(using).select_related("periodic_task").get(key=key)
    return job


def sync_jobs(using: str = DEFAULT_DB_ALIAS) -> list[Job]:
    """Create what is missing for every registered job (run after `migrate`; cheap when nothing is)."""
    complete = set(Job.objects.using(using).filter(periodic_task__isnull=False).values_list("key", flat=True))
    for spec in job_registry:
        if spec.key not in complete:
            ensure_job(spec.key, using)
    return list(Job.objects.using(using).filter(key__in=job_registry.keys()).select_related("periodic_task"))


def _registered_job(job_or_key: Job | str) -> Job:
    key = job_or_key if isinstance(job_or_key, str) else job_or_key.key
    if key not in job_registry:
        raise DomainError(_("“%(key)s” is no longer a system job; it cannot be scheduled or run.") % {"key": key})
    return ensure_job(key)


# --- Administrators' operations --------------------------------------------------------------


@service
def set_schedule(actor, job: Job | str, *, crontab: str | None = None, every=None, period: str | None = None) -> Job:
    """Change a job's run cycle to a crontab expression or an interval (minutes, hours or days)."""
    require_permission(actor, "jobs.job:change")
    job = _registered_job(job)
    schedule = validate_schedule(crontab=crontab, every=every, period=period)
    task = PeriodicTask.objects.select_for_update().get(pk=job.periodic_task_id)
    before = schedule_of(task)
    if before == schedule:
        return job
    _apply_schedule(task, schedule)
    task.save()  # also tells beat (PeriodicTasks.last_update) to reload
    job.periodic_task = task
    with translation.override("en"):
        changes = {"schedule": [before.describe() if before else "", schedule.describe()]}
    log_event("job.schedule_changed", job, actor=actor, changes=changes)
    return job


@service
def set_paused(actor, job: Job | str, paused: bool) -> Job:
    """Pause (beat stops starting it) or resume a job. Runs already under way finish."""
    require_permission(actor, "jobs.job:change")
    job = _registered_job(job)
    task = PeriodicTask.objects.select_for_update().get(pk=job.periodic_task_id)
    if task.enabled == (not paused):
        job.periodic_task = task
        return job
    task.enabled = not paused
    task.save()
    job.periodic_task = task
    log_event("job.paused" if paused else "job.resumed", job, actor=actor)
    return job


def pause_job(actor, job: Job | str) -> Job:
    return set_paused(actor, job, True)


def resume_job(actor, job: Job | str) -> Job:
    return set_paused(actor, job, False)


@service
def run_job_now(actor, job: Job | str, now: dt.datetime | None = None) -> JobRun:
    """Queue a run on behalf of `actor`, optionally "as of" another business moment.

    The run is recorded at once (status queued) and sent to the workers when the
    transaction commits; in eager mode (tests) it runs right there.
    """
    require_permission(actor, "jobs.job:run")
    job = _registered_job(job)
    if now is not None and timezone.is_naive(now):
        raise DomainError(_("The business moment needs a time zone."), field="now")
    recover_stopped_runs(job)
    job.refresh_from_db(fields=["locked_until", "locked_by_run"])
    holder = job.running_run_id()
    if holder is not None:
        raise DomainError(_("The job is running now (run #%(run)s); wait until it finishes.") % {"run": holder})
    run = JobRun.objects.create(job=job, triggered_by=actor, business_now=now)
    transaction.on_commit(partial(_dispatch, run.pk))
    return run


def _dispatch(run_id: int) -> None:
    from steward.jobs.tasks import run_job

    run = JobRun.objects.select_related("job").get(pk=run_id)
    try:
        run_job.apply_async(
            kwargs={
                "job_key": run.job.key,
                "triggered_by_id": run.triggered_by_id,
                "now_iso": run.business_now.isoformat() if run.business_now else None,
                "run_id": run.pk,
            }
        )
    except Exception as error:  # the broker is down: say so on the run instead of losing it
        logger.exception("Could not queue job run %s", run_id)
        JobRun.objects.filter(pk=run_id, status=JobRun.Status.QUEUED).update(
            status=JobRun.Status.FAILED,
            finished_at=timezone.now(),
            error=_("The run could not be handed to a worker: %(error)s") % {"error": error},
        )


# --- Running ---------------------------------------------------------------------------------


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:200]


def _acquire_lock(job: Job, run: JobRun, timeout: dt.timedelta) -> bool:
    """Take the job's lease with one conditional UPDATE in its own transaction.

    On PostgreSQL a concurrent UPDATE of the same row waits for the first to commit and
    then re-checks the condition, so exactly one wins; on SQLite writers take turns. Either
    way the loser sees a live lease and gets 0 rows back.
    """
    now = timezone.now()
    with transaction.atomic():
        taken = (
            Job.objects.filter(pk=job.pk)
            .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
            .update(locked_until=now + timeout, locked_by_run=run)
        )
    return taken == 1


def _release_lock(job: Job, run: JobRun) -> None:
    with transaction.atomic():
        Job.objects.filter(pk=job.pk, locked_by_run=run).update(locked_until=None, locked_by_run=None)


@contextmanager
def _own_savepoint():
    """Inside an outer transaction (tests, eager mode) a failing job rolls back only its own work."""
    if transaction.get_connection().in_atomic_block:
        with transaction.atomic():
            yield
    else:
        yield


def report_progress(run: JobRun, done: int, total: int | None = None) -> None:
    """Save how far a run is (and its counts so far) and extend its lease; throttled to once a second.

    A run with a heartbeat (steward.jobs.lease) hands both to its keeper thread, which commits them
    on its own connection; a run inside an outer transaction writes them on its own."""
    now = timezone.now()
    run.progress_done = max(0, int(done))
    if total is not None:
        run.progress_total = max(0, int(total))
    keeper = getattr(run, "_keeper", None)
    if keeper is not None:
        keeper.note_progress(run.progress_done, run.progress_total, run.counts)
        return
    last = getattr(run, "_progress_written_at", None)
    if last is not None and now - last < PROGRESS_WRITE_EVERY and run.progress_done != run.progress_total:
        return
    JobRun.objects.filter(pk=run.pk).update(
        progress_done=run.progress_done, progress_total=run.progress_total, counts=run.counts
    )
    spec = job_registry.get(run.job.key)
    if spec is not None:
        Job.objects.filter(pk=run.job_id, locked_by_run=run).update(locked_until=now + lease_of(spec))
    run._progress_written_at = now


def recover_stopped_runs(job: Job | None = None, now: dt.datetime | None = None) -> list[int]:
    """Mark failed every run still "running" whose lease ran out: its worker stopped (killed,
    crashed, machine gone) and will never finish it. Returns the ids of the runs recovered.

    Called before "run now", when a run starts, and by the pages and API that show runs, so a dead
    run never reads "running" once its lease is over and the job can run again at once. Looking
    costs one indexed read; a write happens only when there is a run to recover, and only if it is
    still without a live lease at that moment (a heartbeat that came back wins).
    """
    now = now or timezone.now()
    alive = Job.objects.filter(pk=OuterRef("job_id"), locked_by_run_id=OuterRef("pk"), locked_until__gt=now)
    stopped = JobRun.objects.filter(status=JobRun.Status.RUNNING).exclude(Exists(alive))
    if job is not None:
        stopped = stopped.filter(job_id=job.pk)
    candidates = list(stopped.values_list("pk", flat=True))
    recovered = []
    for run_id in candidates:
        with transaction.atomic():
            if not stopped.filter(pk=run_id).update(status=JobRun.Status.FAILED, finished_at=now, error=WORKER_STOPPED):
                continue
            run = JobRun.objects.select_related("job", "triggered_by").get(pk=run_id)
            Job.objects.filter(pk=run.job_id, locked_by_run_id=run_id).update(locked_until=None, locked_by_run=None)
            log_event(
                "job.run",
                run,
                actor=run.triggered_by,
                message=f"{run.job.key}: {JobRun.Status.FAILED} — worker stopped",
                changes={
                    "status": JobRun.Status.FAILED,
                    "counts": run.counts,
                    "as_of": run.business_now,
                    "worker": run.worker,
                    "error": WORKER_STOPPED,
                },
            )
        logger.warning("Run %s of %s was marked failed: its worker stopped.", run_id, run.job.key)
        recovered.append(run_id)
    return recovered


def recover_stopped_runs_for_display(job: Job | None = None) -> None:
    """`recover_stopped_runs` for a page or API read: a database busy elsewhere (SQLite while a
    load writes) must not fail the page; the next look recovers the run instead."""
    try:
        with transaction.atomic():
            recover_stopped_runs(job)
    except DatabaseError as error:
        # (No traceback: `check` walks the API's querysets before the tables exist, and a busy
        # SQLite is expected here; the reason is enough.)
        logger.warning("Stopped runs could not be recovered now (%s); the next look tries again.", error)


def _finish(run: JobRun, status: str, *, message: str = "", error: str = "") -> JobRun:
    run.status = status
    run.finished_at = timezone.now()
    run.message = message or run.message
    run.error = error
    run.save(
        update_fields=[
            "status",
            "finished_at",
            "message",
            "error",
            "counts",
            "progress_done",
            "progress_total",
            "started_at",
            "business_now",
            "worker",
        ]
    )
    summary = {"status": status, "counts": run.counts, "as_of": run.business_now, "worker": run.worker}
    if error:
        summary["error"] = error.strip().splitlines()[-1][:300]
    log_event(
        "job.run",
        run,
        actor=run.triggered_by,
        message=f"{run.job.key}: {status}" + (f" — {message}" if message else ""),
        changes=summary,
    )
    return run


def execute_job(
    key: str,
    *,
    run_id: int | None = None,
    triggered_by_id: int | None = None,
    now: dt.datetime | None = None,
) -> JobRun | None:
    """Run job `key` once and record it. Called by the Celery task; never raises for a job's failure.

    `run_id` is the queued run created by `run_job_now`; without it (a scheduled start) a
    new run is recorded. `now` is the business moment; by default the moment the run starts.
    """
    spec = job_registry.get(key)
    started = timezone.now()
    run = None
    if run_id:
        # Claim the queued run; a message delivered twice finds it claimed and leaves it alone.
        if not JobRun.objects.filter(pk=run_id, status=JobRun.Status.QUEUED, started_at__isnull=True).update(
            started_at=started
        ):
            return JobRun.objects.filter(pk=run_id).first()
        run = JobRun.objects.select_related("job", "triggered_by").get(pk=run_id)
    if spec is None:
        logger.error("No system job is registered under %r; nothing was run.", key)
        if run is not None:
            _finish(run, JobRun.Status.FAILED, error=_("No system job is registered under “%(key)s”.") % {"key": key})
        return run
    job = run.job if run is not None else ensure_job(key)
    if run is None:
        run = JobRun.objects.create(job=job, triggered_by_id=triggered_by_id, business_now=now, started_at=started)
    run.business_now = now or run.business_now or started
    run.worker = _worker_name()

    scheduled = run_id is None and triggered_by_id is None
    if scheduled and not PeriodicTask.objects.filter(pk=job.periodic_task_id, enabled=True).exists():
        return _finish(run, JobRun.Status.SKIPPED, message=_("Skipped: the job is paused."))
    for _attempt in range(2):  # a holder that finished between the UPDATE and the look-up: try once more
        if _acquire_lock(job, run, lease_of(spec)):
            break
        holder = Job.objects.filter(pk=job.pk).values_list("locked_by_run_id", flat=True).first()
        if holder is not None:
            return _finish(
                run,
                JobRun.Status.SKIPPED,
                message=_("Skipped: run #%(run)s of this job was still running.") % {"run": holder},
            )
    else:
        return _finish(run, JobRun.Status.SKIPPED, message=_("Skipped: another run of this job was still running."))

    try:
        run.status = JobRun.Status.RUNNING
        run.save(update_fields=["status", "started_at", "business_now", "worker"])
        # We hold the lease, so any other run still marked running lost its worker.
        recover_stopped_runs(job)
        if not transaction.get_connection().in_atomic_block:
            run._keeper = RunKeeper(run, lease_of(spec)).start()
        status, error = JobRun.Status.SUCCEEDED, ""
        try:
            with (
                audit_context.acting_as(actor=run.triggered_by, source=f"job:{key}"),
                _own_savepoint(),
            ):
                result = spec.func(run, run.business_now)
            if isinstance(result, dict):
                run.counts.update(result)
        except JobFailed as failure:
            status, error = JobRun.Status.FAILED, str(failure)
        except Exception:
            logger.exception("System job %s failed (run %s)", key, run.pk)
            status, error = JobRun.Status.FAILED, traceback.format_exc(limit=20)
        if status == JobRun.Status.SUCCEEDED and run.progress_total is not None:
            run.progress_done = run.progress_total
        keeper = getattr(run, "_keeper", None)
        if keeper is not None:
            keeper.stop()  # before the final save, so a late heartbeat never writes over it
            run._keeper = None
        return _finish(run, status, error=error)
    finally:
        keeper = getattr(run, "_keeper", None)
        if keeper is not None:
            keeper.stop()
        _release_lock(job, run)
