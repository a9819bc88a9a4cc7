"""The one Celery task behind every system job; beat sends it with the job's key (PLT-08)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

from steward.jobs import services


@shared_task(name=services.TASK_NAME, ignore_result=True)
def run_job(job_key: str, triggered_by_id: int | None = None, now_iso: str | None = None, run_id: int | None = None):
    """Run the system job `job_key` and record the run; a job's failure is recorded, not raised."""
    now = dt.datetime.fromisoformat(now_iso) if now_iso else None
    run = services.execute_job(job_key, run_id=run_id, triggered_by_id=triggered_by_id, now=now)
    return run.pk if run is not None else None
