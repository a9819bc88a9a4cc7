"""PLT-08 done-when: two concurrent runs of the same job do not double-process.

The lock is a lease on the job's row taken with one conditional UPDATE in its own
transaction. The threaded tests use real, separate database connections (transactional_db).
"Run B starts while run A is inside the job" runs on SQLite and PostgreSQL alike. "Runs
start at the same instant" runs on PostgreSQL only, where the UPDATEs genuinely race and the
row lock decides; SQLite serializes writers, so there is no race to lose there.
"""

import datetime as dt
import queue
import threading

import pytest
from django.db import connection, connections
from django.utils import timezone

from steward.jobs import services
from steward.jobs.models import Job, JobRun

WAIT = 20  # seconds; a bound for the threads, never a sleep


def in_thread(target, results, *args):
    def body():
        try:
            results.put(target(*args))
        except Exception as error:  # surfaced in the main thread
            results.put(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=body, daemon=True)
    thread.start()
    return thread


def outcome(results):
    item = results.get(timeout=WAIT)
    if isinstance(item, Exception):
        raise item
    return JobRun.objects.get(pk=item.pk)


def test_a_run_started_while_another_holds_the_lock_is_skipped_and_does_nothing(db, register_job):
    calls = []
    register_job(lambda job_run, now: calls.append(now), key="testing.locked")
    job = services.ensure_job("testing.locked")
    first = JobRun.objects.create(job=job, status=JobRun.Status.RUNNING)
    Job.objects.filter(pk=job.pk).update(locked_until=timezone.now() + dt.timedelta(minutes=5), locked_by_run=first)

    second = services.execute_job("testing.locked")

    assert calls == []
    assert second.status == JobRun.Status.SKIPPED
    assert second.message == f"Skipped: run #{first.pk} of this job was still running."
    assert Job.objects.get(pk=job.pk).locked_by_run_id == first.pk  # the holder keeps its lock


def test_a_stale_lock_from_a_dead_worker_expires_and_its_run_is_marked_failed(db, register_job):
    calls = []
    register_job(lambda job_run, now: calls.append(now), key="testing.stale")
    job = services.ensure_job("testing.stale")
    dead = JobRun.objects.create(job=job, status=JobRun.Status.RUNNING)
    Job.objects.filter(pk=job.pk).update(locked_until=timezone.now() - dt.timedelta(seconds=1), locked_by_run=dead)

    run = services.execute_job("testing.stale")

    assert run.status == JobRun.Status.SUCCEEDED and len(calls) == 1
    dead.refresh_from_db()
    assert dead.status == JobRun.Status.FAILED and "worker stopped" in dead.error


def test_progress_reports_keep_a_long_run_s_lock_alive(db, register_job):
    seen = {}

    def long_job(job_run, now):
        Job.objects.filter(pk=job_run.job_id).update(locked_until=timezone.now() + dt.timedelta(seconds=1))
        job_run.set_progress(10, 10)
        seen["locked_until"] = Job.objects.get(pk=job_run.job_id).locked_until

    register_job(long_job, key="testing.long", lock_timeout=dt.timedelta(minutes=20))

    services.execute_job("testing.long")

    assert seen["locked_until"] > timezone.now() + dt.timedelta(minutes=19)


def test_a_scheduled_start_of_a_paused_job_is_recorded_as_skipped(operator, register_job):
    calls = []
    register_job(lambda job_run, now: calls.append(now), key="testing.paused")
    services.pause_job(operator, "testing.paused")

    run = services.execute_job("testing.paused")

    assert calls == [] and run.status == JobRun.Status.SKIPPED and "paused" in run.message


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_of_the_same_job_do_not_double_process(register_job):
    """Run A holds the job; run B, started on another connection meanwhile, exits as skipped."""
    entered, release = threading.Event(), threading.Event()
    processed = []

    def slow_import(job_run, now):
        processed.append(job_run.pk)
        entered.set()
        assert release.wait(WAIT), "the test never released the first run"
        return {"processed": 1}

    register_job(slow_import, key="testing.slow_import")
    services.ensure_job("testing.slow_import")
    results_a, results_b = queue.Queue(), queue.Queue()

    thread_a = in_thread(services.execute_job, results_a, "testing.slow_import")
    assert entered.wait(WAIT), "run A never started"
    thread_b = in_thread(services.execute_job, results_b, "testing.slow_import")
    run_b = outcome(results_b)  # B finishes while A is still inside the job
    release.set()
    run_a = outcome(results_a)
    thread_a.join(WAIT)
    thread_b.join(WAIT)

    assert run_a.status == JobRun.Status.SUCCEEDED and run_a.counts == {"processed": 1}
    assert run_b.status == JobRun.Status.SKIPPED
    assert run_b.message == f"Skipped: run #{run_a.pk} of this job was still running."
    assert processed == [run_a.pk]
    assert Job.objects.get(key="testing.slow_import").locked_until is None


@pytest.mark.django_db(transaction=True)
def test_runs_started_at_the_same_instant_let_exactly_one_through(register_job):
    """Four runs reach the lock together (a barrier); exactly one acquires it. PostgreSQL only:
    pytest's SQLite test database is an in-memory shared cache that refuses a second writer at
    once ("database table is locked") where the demo's SQLite file makes it wait its turn — and
    with writers taking turns there is no race to test."""
    if connection.vendor != "postgresql":
        pytest.skip("simultaneous writers need PostgreSQL; on SQLite writes are serialized (see the docstring)")
    racers = 4
    barrier = threading.Barrier(racers)
    release = threading.Event()
    processed = []

    def guarded(job_run, now):
        processed.append(job_run.pk)
        assert release.wait(WAIT)

    register_job(guarded, key="testing.race")
    services.ensure_job("testing.race")

    def racer():
        barrier.wait(WAIT)
        return services.execute_job("testing.race")

    results = queue.Queue()
    threads = [in_thread(racer, results) for _ in range(racers)]
    losers = [outcome(results) for _ in range(racers - 1)]  # the losers return while the winner waits
    release.set()
    winner = outcome(results)
    for thread in threads:
        thread.join(WAIT)

    assert [run.status for run in losers] == [JobRun.Status.SKIPPED] * (racers - 1)
    assert winner.status == JobRun.Status.SUCCEEDED
    assert processed == [winner.pk]
