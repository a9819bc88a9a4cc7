"""A running job's heartbeat — PLT-08, issue 12 point 4 ("a killed worker's run stayed running").

A run holds its job's lease (`Job.locked_until`, `Job.locked_by_run`) for a short time — the
job's `lock_timeout`, else the setting STEWARD_JOB_LEASE_SECONDS (five minutes). While the run
works, a `RunKeeper` thread in the worker renews the lease every fifth of that and writes the
run's progress and counts, through a database connection of its own:

* the lease no longer has to cover the whole run: a load that spends an hour in one statement
  keeps its lease, because the heartbeat does not depend on the job reporting progress;
* a worker killed with SIGKILL (or a machine that vanished) stops its heartbeat with it, so its
  run is recovered at most one lease later (`services.recover_stopped_runs`);
* progress written on the keeper's own connection is committed at once, so pages see it while
  the job's own transaction is still open (on PostgreSQL; SQLite lets one writer at a time, so
  there the heartbeat waits for the job's transaction and the lease must outlast its longest one).

A run started inside an open transaction (Celery's eager mode in tests, a caller's atomic block)
has no keeper: another connection could neither see its rows nor wait for its locks, so progress
and the lease are written on the run's own connection, as they are reported.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time

from django.db import DatabaseError, connections
from django.utils import timezone

logger = logging.getLogger(__name__)

# Progress is written at most this often (the pages poll every 2 s).
PROGRESS_WRITE_SECONDS = 1.0


class RunKeeper:
    """Renews one run's lease and writes its progress from a daemon thread (see the module docstring)."""

    def __init__(self, run, lease: dt.timedelta):
        self.run_id = run.pk
        self.job_id = run.job_id
        self.lease = lease
        self.beat_seconds = max(0.1, lease.total_seconds() / 5)
        self._pending: tuple | None = None
        self._mutex = threading.Lock()
        self._stop = threading.Event()
        self.beats = 0  # successful renewals, for tests and logs
        self._thread = threading.Thread(target=self._loop, name=f"job-run-{run.pk}-heartbeat", daemon=True)

    def start(self) -> RunKeeper:
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop beating (the run has ended; its final state is saved by the caller)."""
        self._stop.set()
        self._thread.join(timeout=60)

    def note_progress(self, done: int | None, total: int | None, counts: dict) -> None:
        """Remember the run's latest progress; the thread writes it within a second."""
        with self._mutex:
            self._pending = (done, total, dict(counts))

    def _take_pending(self):
        with self._mutex:
            pending, self._pending = self._pending, None
        return pending

    def _loop(self) -> None:
        tick = min(PROGRESS_WRITE_SECONDS, self.beat_seconds)
        next_beat = 0.0
        try:
            while not self._stop.wait(timeout=tick):
                pending = self._take_pending()
                if pending is None and time.monotonic() < next_beat:
                    continue
                if self._write(pending):
                    next_beat = time.monotonic() + self.beat_seconds
                elif pending is not None:
                    with self._mutex:  # keep it for the next tick unless something newer came
                        self._pending = self._pending or pending
        finally:
            connections.close_all()  # this thread's connections only

    def _write(self, pending) -> bool:
        from steward.jobs.models import Job, JobRun

        try:
            renewed = Job.objects.filter(pk=self.job_id, locked_by_run_id=self.run_id).update(
                locked_until=timezone.now() + self.lease
            )
            if not renewed:
                logger.warning("Run %s no longer holds its job's lease; it was taken as stopped.", self.run_id)
            if pending is not None:
                done, total, counts = pending
                JobRun.objects.filter(pk=self.run_id, status=JobRun.Status.RUNNING).update(
                    progress_done=done, progress_total=total, counts=counts
                )
            self.beats += 1
            return True
        except DatabaseError:
            # SQLite busy with the job's own transaction, a dropped connection …: try again next tick.
            logger.warning("Heartbeat of run %s could not be written; retrying.", self.run_id, exc_info=True)
            connections["default"].close()
            return False
