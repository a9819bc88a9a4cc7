"""Issue 12 point 4 (PLT-08, DAT-01): "a killed worker's run stayed 'running' for 2 hours, refusing
'run now'". A run holds its job for a short lease that its worker's heartbeat renews; a run whose
lease ran out is marked failed ("worker stopped") and the job can run again at once.

The kill test starts a real worker process (steward/jobs/tests/stoppable_worker.py) against the
test's PostgreSQL database and kills it with SIGKILL; on SQLite (pytest's database is in memory,
out of another process's reach) the same recovery is shown with a lease that has run out.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from steward.audit.models import AuditEntry
from steward.jobs import services
from steward.jobs.models import Job, JobRun
from steward.jobs.registry import default_lease, lease_of
from steward.jobs.registry import jobs as job_registry

ROOT = Path(__file__).resolve().parents[3]
WAIT = 30  # seconds: a bound, never a sleep


def wait_until(condition, what: str, timeout: float = WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_the_lease_defaults_to_five_minutes_and_follows_the_setting(settings, register_job):
    """PLT-08: the lease is a parameter with a documented default (STEWARD_JOB_LEASE_SECONDS)."""
    settings.STEWARD_JOB_LEASE_SECONDS = None
    assert default_lease() == dt.timedelta(minutes=5)
    settings.STEWARD_JOB_LEASE_SECONDS = 90
    spec = register_job(lambda job_run, now: None, key="testing.lease_default")
    assert lease_of(spec) == dt.timedelta(seconds=90)
    own = register_job(lambda job_run, now: None, key="testing.lease_own", lock_timeout=dt.timedelta(seconds=20))
    assert lease_of(own) == dt.timedelta(seconds=20)
    # The drop-folder load no longer keeps a dead run for two hours: it takes the default lease.
    assert lease_of(job_registry.get("holdings.load_drop_folder")) == dt.timedelta(seconds=90)


def test_a_run_whose_lease_ran_out_reads_failed_and_run_now_works_at_once(operator, operator_client, register_job):
    """PLT-08 / issue 12: the run of a worker that died is "failed — worker stopped" on the pages
    and in the API (not "running"), the job page offers no running run, and "run now" starts a new
    run straight away."""
    calls = []
    register_job(lambda job_run, now: calls.append(job_run.pk) or {"processed": 1}, key="testing.crashed")
    job = services.ensure_job("testing.crashed")
    dead = JobRun.objects.create(
        job=job, status=JobRun.Status.RUNNING, started_at=timezone.now() - dt.timedelta(minutes=7)
    )
    Job.objects.filter(pk=job.pk).update(locked_until=timezone.now() - dt.timedelta(seconds=1), locked_by_run=dead)

    page = operator_client.get(f"/jobs/{job.pk}/").content.decode()
    run_page = operator_client.get(f"/jobs/runs/{dead.pk}/").content.decode()
    api = operator_client.get(f"/api/v1/job-runs/{dead.pk}/").json()

    dead.refresh_from_db()
    assert dead.status == JobRun.Status.FAILED and dead.finished_at is not None
    assert 'data-testid="running-run"' not in page
    assert 'data-status="failed"' in run_page and "The worker stopped before the run finished" in run_page
    assert api["status"] == "failed" and api["error"].startswith("The worker stopped")
    assert AuditEntry.objects.filter(action="job.run", object_id=str(dead.pk)).exists()

    with transaction.atomic():  # the page's POST; its run is sent when the request commits
        response = operator_client.post(f"/jobs/{job.pk}/run/")
    new = JobRun.objects.exclude(pk=dead.pk).get(job=job)
    assert response.status_code == 302 and response["Location"] == f"/jobs/runs/{new.pk}/"
    assert JobRun.objects.filter(job=job).count() == 2


def test_run_now_recovers_a_dead_run_itself(operator, register_job):
    """PLT-08: the service, not only the page, treats a run past its lease as stopped."""
    register_job(lambda job_run, now: None, key="testing.recover")
    job = services.ensure_job("testing.recover")
    dead = JobRun.objects.create(job=job, status=JobRun.Status.RUNNING)
    Job.objects.filter(pk=job.pk).update(locked_until=timezone.now() - dt.timedelta(seconds=1), locked_by_run=dead)

    run = services.run_job_now(operator, "testing.recover")

    dead.refresh_from_db()
    assert run.pk != dead.pk and dead.status == JobRun.Status.FAILED and "worker stopped" in dead.error
    assert Job.objects.get(pk=job.pk).locked_by_run_id != dead.pk


def test_a_running_run_with_a_live_lease_is_left_alone(operator, register_job):
    """PLT-08: recovery never touches a run whose worker is still beating."""
    register_job(lambda job_run, now: None, key="testing.alive")
    job = services.ensure_job("testing.alive")
    alive = JobRun.objects.create(job=job, status=JobRun.Status.RUNNING)
    Job.objects.filter(pk=job.pk).update(locked_until=timezone.now() + dt.timedelta(minutes=1), locked_by_run=alive)

    assert services.recover_stopped_runs() == []
    alive.refresh_from_db()
    assert alive.status == JobRun.Status.RUNNING


def test_a_stopped_run_reads_in_the_reader_s_language(operator, register_job, monkeypatch):
    """Issue 12: "worker stopped" is stored as its source text and shown through gettext, in the
    reader's language (the zh-Hans catalogue is filled by the translators)."""
    register_job(lambda job_run, now: None, key="testing.language")
    job = services.ensure_job("testing.language")
    run = JobRun.objects.create(job=job, status=JobRun.Status.FAILED, error=services.WORKER_STOPPED)
    from django.utils import translation

    monkeypatch.setattr(translation, "gettext", lambda text: "«" + text + "»")
    assert run.error == services.WORKER_STOPPED
    assert run.error_text == "«" + services.WORKER_STOPPED + "»"


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_keeps_a_silent_long_run_s_lease_alive(register_job, settings):
    """PLT-08: a run that reports no progress for several leases keeps its job (its worker's
    heartbeat renews the lease on a connection of its own), so nobody takes it for dead."""
    seen = {}

    def silent(job_run, now):
        time.sleep(1.6)  # four leases of 0.4 s without a word
        seen["locked_until"] = Job.objects.get(pk=job_run.job_id).locked_until
        seen["recovered"] = services.recover_stopped_runs()
        seen["beats"] = job_run._keeper.beats

    register_job(silent, key="testing.silent", lock_timeout=dt.timedelta(seconds=0.4))
    services.ensure_job("testing.silent")

    run = services.execute_job("testing.silent")

    assert run.status == JobRun.Status.SUCCEEDED, run.error
    assert seen["recovered"] == [] and seen["locked_until"] > timezone.now() - dt.timedelta(seconds=1)
    assert seen["beats"] >= 3
    assert Job.objects.get(key="testing.silent").locked_until is None  # given back at the end


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_while_the_job_s_own_transaction_is_open(register_job):
    """Issue 12 point 4: a load's progress reaches the pages while its transaction is still open
    (the heartbeat writes it on its own connection). PostgreSQL: pytest's in-memory SQLite refuses
    a reader of a table another connection is writing."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (see the docstring)")
    observed = {}

    def other_connection_reads(run_id):
        try:
            observed["progress"] = wait_until(
                lambda: (
                    JobRun.objects.filter(pk=run_id, progress_done=5)
                    .values_list("progress_done", "progress_total")
                    .first()
                ),
                "progress seen from another connection",
                timeout=10,
            )
        finally:
            connections.close_all()

    def load_in_one_transaction(job_run, now):
        with transaction.atomic():
            job_run.set_progress(5, 20)
            reader = threading.Thread(target=other_connection_reads, args=(job_run.pk,))
            reader.start()
            reader.join(15)

    register_job(load_in_one_transaction, key="testing.one_transaction")
    services.ensure_job("testing.one_transaction")

    run = services.execute_job("testing.one_transaction")

    assert run.status == JobRun.Status.SUCCEEDED, run.error
    assert observed["progress"] == (5, 20)


def _database_url() -> str:
    from steward.jobs.tests.test_real_worker import test_database_url

    return test_database_url()


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_with_sigkill_leaves_a_run_that_recovers_and_run_now_works(
    operator, operator_client, register_job, tmp_path
):
    """Issue 12 point 4 done-when ("a killed load recovers"): a real worker process works on a run
    inside an open transaction; its progress shows and "run now" is refused while it lives; it is
    killed with SIGKILL; one lease later the run reads failed ("worker stopped") and "run now" on the
    page starts a new run at once."""
    if connection.vendor != "postgresql":
        pytest.skip("another process cannot open pytest's in-memory SQLite database; see the module docstring")
    lease = 1.5
    register_job(
        lambda job_run, now: {"processed": 1}, key="testing.stoppable", lock_timeout=dt.timedelta(seconds=lease)
    )
    job = services.ensure_job("testing.stoppable")
    run = JobRun.objects.create(job=job, triggered_by=operator)
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "STEWARD_TESTING": "1",
        "STEWARD_VAR_DIR": str(tmp_path),
        "PYTHONUNBUFFERED": "1",
    }
    log = (tmp_path / "worker.log").open("w")
    worker = subprocess.Popen(
        [sys.executable, "-m", "steward.jobs.tests.stoppable_worker", str(run.pk), str(lease)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until(
            lambda: JobRun.objects.filter(pk=run.pk, status=JobRun.Status.RUNNING, progress_done=1).exists(),
            f"the worker to start the run (log: {tmp_path / 'worker.log'})",
        )
        time.sleep(lease * 2)  # longer than the lease: only the heartbeat keeps it
        page = operator_client.get(f"/jobs/runs/{run.pk}/").content.decode()
        assert 'data-status="running"' in page and "1 / 10 (10%)" in page
        refused = operator_client.post(f"/jobs/{job.pk}/run/", follow=True).content.decode()
        assert f"running now (run #{run.pk})" in refused
        assert JobRun.objects.filter(job=job).count() == 1

        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=10)
        log.close()

    wait_until(
        lambda: 'data-status="failed"' in operator_client.get(f"/jobs/runs/{run.pk}/").content.decode(),
        "the killed run to read failed",
        timeout=lease * 4,
    )
    run.refresh_from_db()
    assert run.status == JobRun.Status.FAILED and run.error == services.WORKER_STOPPED
    assert run.worker.endswith(f":{worker.pid}")

    response = operator_client.post(f"/jobs/{job.pk}/run/")
    new = JobRun.objects.exclude(pk=run.pk).get(job=job)
    assert response.status_code == 302 and response["Location"] == f"/jobs/runs/{new.pk}/"
    new.refresh_from_db()
    assert new.status == JobRun.Status.SUCCEEDED and new.counts == {"processed": 1}
