"""The registry of system jobs — PLT-08 (requirement 2.28, 自动调度中心).

An app declares a job once, in code, with a default schedule:

    from celery.schedules import crontab
    from steward.jobs.registry import system_job

    @system_job(
        key="leads.reclaim_expired",
        label=_("Reclaim leads not contacted in time"),
        default_schedule=crontab(minute="0", hour="1"),
        description=_("Returns leads nobody contacted within the grace period to the public pool."),
    )
    def reclaim_expired_leads_job(job_run, now):
        result = leads.services.reclaim_expired_leads(now=now, progress=job_run.set_progress)
        return {"processed": result.checked, "updated": result.reclaimed}

The module holding the job is imported from the app's ``AppConfig.ready()``. After
``migrate`` every registered job gets a django-celery-beat ``PeriodicTask`` row with the
default schedule (only when it has none: an administrator's edits are never overwritten),
all pointing at the one Celery task ``steward.jobs.tasks.run_job``.

A job function receives the ``JobRun`` being recorded and the business ``now`` (the
moment the run is "as of"; a re-run for an earlier day passes that day). It must be
idempotent — running it twice for the same ``now`` changes nothing the second time —
and it calls a service rather than holding business rules itself. It may return a dict
of counts (processed / created / updated / deleted …) and report progress on long work
with ``job_run.set_progress(done, total)``. Raising ``JobFailed("…")`` fails the run with
that message; any other exception fails it with the traceback.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from celery.schedules import crontab
from django.utils.functional import Promise

# How long a run's lease lasts past its worker's last heartbeat, unless the job or the setting
# STEWARD_JOB_LEASE_SECONDS says otherwise (see steward.jobs.lease and docs/jobs.md).
DEFAULT_LEASE_SECONDS = 300


class JobFailed(Exception):
    """Raised by a job to fail its run with a plain message (no traceback is recorded)."""


@dataclass(frozen=True)
class SystemJob:
    key: str  # "audit.verify_chain": the owning app's label, a dot, what it does
    label: str | Promise
    func: Callable  # (job_run, now) -> dict | None
    default_schedule: crontab | dt.timedelta
    description: str | Promise = ""
    # A run holds the job's lease this long past its worker's last heartbeat (its worker renews it
    # every fifth of this while the run works, whether or not the job reports progress). A worker
    # that died mid-run therefore blocks the job for at most this long; None takes the setting
    # STEWARD_JOB_LEASE_SECONDS (default five minutes). See `lease_of`.
    lock_timeout: dt.timedelta | None = None
    # Labels for the counts the job returns, e.g. {"checked": _("entries checked")}.
    count_labels: dict = field(default_factory=dict)


def default_lease() -> dt.timedelta:
    """The lease of a job that sets none: the setting STEWARD_JOB_LEASE_SECONDS, else five minutes."""
    from django.conf import settings

    seconds = getattr(settings, "STEWARD_JOB_LEASE_SECONDS", None) or DEFAULT_LEASE_SECONDS
    return dt.timedelta(seconds=max(1, float(seconds)))


def lease_of(spec: SystemJob | None) -> dt.timedelta:
    """How long a run of `spec` keeps its job past its last heartbeat."""
    return spec.lock_timeout if spec is not None and spec.lock_timeout else default_lease()


class JobRegistry:
    def __init__(self) -> None:
        self._jobs: dict[str, SystemJob] = {}

    def add(self, job: SystemJob) -> SystemJob:
        if job.key in self._jobs:
            raise ValueError(f"System job {job.key!r} is registered twice.")
        if "." not in job.key or len(job.key) > 100 or not job.key.replace(".", "").replace("_", "").isalnum():
            raise ValueError(f"System job key {job.key!r} must look like 'app.what_it_does' (at most 100 characters).")
        if not isinstance(job.default_schedule, (crontab, dt.timedelta)):
            raise ValueError(f"System job {job.key!r}: default_schedule must be a celery crontab or a timedelta.")
        if isinstance(job.default_schedule, dt.timedelta) and job.default_schedule < dt.timedelta(minutes=1):
            raise ValueError(f"System job {job.key!r}: an interval must be at least one minute.")
        self._jobs[job.key] = job
        return job

    def remove(self, key: str) -> None:
        self._jobs.pop(key, None)

    def get(self, key: str) -> SystemJob | None:
        return self._jobs.get(key)

    def keys(self) -> list[str]:
        return sorted(self._jobs)

    def __iter__(self) -> Iterator[SystemJob]:
        return iter(sorted(self._jobs.values(), key=lambda job: job.key))

    def __contains__(self, key: str) -> bool:
        return key in self._jobs

    @contextmanager
    def temporarily(self, job: SystemJob):
        """Register a job for the duration of a block (tests)."""
        self.add(job)
        try:
            yield job
        finally:
            self.remove(job.key)


jobs = JobRegistry()


def system_job(
    *,
    key: str,
    label: str | Promise,
    default_schedule: crontab | dt.timedelta,
    description: str | Promise = "",
    lock_timeout: dt.timedelta | None = None,
    count_labels: dict | None = None,
):
    """Decorator: register `func(job_run, now)` as the system job `key`."""

    def register(func: Callable) -> Callable:
        jobs.add(SystemJob(key, label, func, default_schedule, description, lock_timeout, count_labels or {}))
        return func

    return register
