"""A worker process for test_leases: it starts one queued run of "testing.stoppable" and works on it,
inside an open transaction, until the test kills it with SIGKILL.

    python -m steward.jobs.tests.stoppable_worker <run id> <lease seconds>

The test passes the database (DATABASE_URL) of its own PostgreSQL test database.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time


def main(run_id: int, lease_seconds: float) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "steward.settings")
    import django

    django.setup()
    from celery.schedules import crontab
    from django.db import transaction

    from steward.jobs import services
    from steward.jobs.registry import SystemJob, jobs

    def work_until_killed(job_run, now):
        # The job's own transaction stays open: its progress must reach the pages all the same.
        with transaction.atomic():
            job_run.set_progress(1, 10)
            while True:
                time.sleep(0.05)

    jobs.add(
        SystemJob(
            "testing.stoppable",
            "Stoppable job",
            work_until_killed,
            crontab(minute="0", hour="1"),
            lock_timeout=dt.timedelta(seconds=lease_seconds),
        )
    )
    services.execute_job("testing.stoppable", run_id=run_id)


if __name__ == "__main__":
    main(int(sys.argv[1]), float(sys.argv[2]))
