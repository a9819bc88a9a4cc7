"""Housekeeping services run as system jobs (PLT-08). Each is idempotent and takes `now`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction

from steward.jobs.models import JobRun
from steward.org.models import UserSession

BATCH = 1000
Progress = Callable[[int, int], None]


def _noop(done: int, total: int) -> None:
    """The progress callback when nobody is watching."""


def clear_expired_sessions(now: dt.datetime, progress: Progress = _noop) -> dict[str, int]:
    """Delete web sessions that expired before `now`, and the session records (online users,
    PLT-02) whose session no longer exists. Running it again deletes nothing more."""
    expired = Session.objects.filter(expire_date__lt=now)
    total = expired.count()
    deleted = 0
    progress(0, total)
    while True:
        keys = list(expired.order_by("session_key").values_list("session_key", flat=True)[:BATCH])
        if not keys:
            break
        with transaction.atomic():
            UserSession.objects.filter(session_key__in=keys).delete()
            deleted += Session.objects.filter(session_key__in=keys).delete()[0]
        progress(min(deleted, total), total)
    orphans, _ = UserSession.objects.exclude(session_key__in=Session.objects.values("session_key")).delete()
    return {"processed": total, "deleted": deleted, "orphan_records_deleted": orphans}


def retention_days() -> int:
    return int(getattr(settings, "STEWARD_JOB_RUN_RETENTION_DAYS", 180))


def purge_old_job_runs(now: dt.datetime, progress: Progress = _noop, days: int | None = None) -> dict[str, int]:
    """Delete finished job runs recorded more than `days` (default 180) before `now`.

    The audit trail keeps each run's "job.run" event; this only trims the run history.
    """
    cutoff = now - dt.timedelta(days=days if days is not None else retention_days())
    old = JobRun.objects.filter(queued_at__lt=cutoff, status__in=JobRun.FINISHED)
    total = old.count()
    deleted = 0
    progress(0, total)
    while True:
        ids = list(old.order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            break
        with transaction.atomic():
            deleted += JobRun.objects.filter(pk__in=ids).delete()[0]
        progress(min(deleted, total), total)
    return {"processed": total, "deleted": deleted}
