"""PLT-08: every run is recorded — start, end, status, counts, progress, error, who triggered it."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from steward.audit.models import AuditChainHead, AuditEntry
from steward.audit.services import log_event
from steward.core.errors import DomainError
from steward.jobs import services
from steward.jobs.models import Job, JobRun
from steward.jobs.registry import JobFailed
from steward.jobs.tasks import run_job
from steward.testing import grant


def test_run_now_records_who_ran_it_its_times_counts_and_progress(
    operator, register_job, django_capture_on_commit_callbacks
):
    seen = []

    def count_customers(job_run, now):
        seen.append(now)
        for done in range(1, 4):
            job_run.set_progress(done, 3)
        job_run.add_counts(processed=3)
        return {"updated": 2}

    register_job(count_customers, key="testing.count")
    as_of = timezone.make_aware(dt.datetime(2026, 3, 31, 23, 0))

    with django_capture_on_commit_callbacks(execute=True):
        queued = services.run_job_now(operator, "testing.count", now=as_of)
    assert queued.status == JobRun.Status.QUEUED  # recorded before a worker touches it

    run = JobRun.objects.get(pk=queued.pk)
    assert run.status == JobRun.Status.SUCCEEDED
    assert run.triggered_by == operator
    assert seen == [as_of] and run.business_now == as_of
    assert run.started_at <= run.finished_at
    assert run.counts == {"processed": 3, "updated": 2}
    assert (run.progress_done, run.progress_total, run.progress_percent) == (3, 3, 100)
    assert run.worker and run.error == ""
    assert Job.objects.get(key="testing.count").locked_until is None  # the lock was given back


def test_a_scheduled_run_has_no_person_and_works_as_of_the_moment_it_starts(db, register_job):
    register_job(lambda job_run, now: {"processed": 1}, key="testing.scheduled")
    before = timezone.now()

    run_job.delay("testing.scheduled")  # what beat sends

    run = JobRun.objects.get(job__key="testing.scheduled")
    assert run.status == JobRun.Status.SUCCEEDED and run.triggered_by is None
    assert run.business_now >= before and run.counts == {"processed": 1}


def test_every_run_writes_one_audit_event_naming_the_job_and_outcome(
    operator, register_job, django_capture_on_commit_callbacks
):
    register_job(lambda job_run, now: {"processed": 5}, key="testing.audited")

    with django_capture_on_commit_callbacks(execute=True):
        run = services.run_job_now(operator, "testing.audited")

    entry = AuditEntry.objects.get(action="job.run", object_id=str(run.pk))
    assert entry.actor == operator and entry.object_type == "jobs.jobrun"
    assert entry.changes["status"] == "succeeded" and entry.changes["counts"] == {"processed": 5}


def test_a_crashing_job_is_recorded_as_failed_with_its_error_and_its_work_rolled_back(
    operator, register_job, django_capture_on_commit_callbacks
):
    def half_done(job_run, now):
        log_event("testing.half_done", message="written before the crash")
        raise RuntimeError("the source file is missing")

    register_job(half_done, key="testing.crash")

    with django_capture_on_commit_callbacks(execute=True):
        run = services.run_job_now(operator, "testing.crash")

    run.refresh_from_db()
    assert run.status == JobRun.Status.FAILED and run.finished_at is not None
    assert "RuntimeError: the source file is missing" in run.error and "Traceback" in run.error
    assert not AuditEntry.objects.filter(action="testing.half_done").exists()
    assert AuditEntry.objects.get(action="job.run", object_id=str(run.pk)).changes["error"] == (
        "RuntimeError: the source file is missing"
    )
    assert Job.objects.get(key="testing.crash").locked_until is None


def test_a_job_that_refuses_records_its_message_without_a_traceback(db, register_job):
    def refuse(job_run, now):
        raise JobFailed("The branch file for 2026-03-31 has not arrived.")

    register_job(refuse, key="testing.refuse")

    run = services.execute_job("testing.refuse")

    assert run.status == JobRun.Status.FAILED and run.error == "The branch file for 2026-03-31 has not arrived."


def test_verify_chain_counts_the_entries_it_checked(operator):
    log_event("testing.event", message="one")
    log_event("testing.event", message="two")

    run = services.execute_job("audit.verify_chain")

    assert run.status == JobRun.Status.SUCCEEDED
    assert run.counts["checked"] == AuditChainHead.objects.get(pk=1).last_seq - 1  # the run's own event comes after


def test_verify_chain_fails_the_run_and_names_the_first_broken_entry(operator):
    first = log_event("testing.event", message="genuine")
    forged = AuditEntry(
        seq=first.seq + 1,
        timestamp=timezone.now(),
        action="testing.event",
        message="slipped in",
        prev_hash="f" * 64,
        hash="e" * 64,
    )
    AuditEntry.objects.bulk_create([forged])  # written behind the service's back
    AuditChainHead.objects.filter(pk=1).update(last_seq=forged.seq, last_hash=forged.hash)

    run = services.execute_job("audit.verify_chain")

    assert run.status == JobRun.Status.FAILED
    assert f"broken at entry #{forged.seq}" in run.error
    assert run.counts["broken_at"] == forged.seq and run.counts["checked"] == first.seq


def test_running_a_job_needs_the_run_permission(bank):
    grant(bank.north_rm, "jobs.job:view", "jobs.job:change")

    with pytest.raises(PermissionDenied):
        services.run_job_now(bank.north_rm, "audit.verify_chain")
    assert not JobRun.objects.exists()


def test_run_now_is_refused_while_the_job_is_running(operator, register_job):
    register_job(lambda job_run, now: None, key="testing.busy")
    job = services.ensure_job("testing.busy")
    holder = JobRun.objects.create(job=job, status=JobRun.Status.RUNNING)
    Job.objects.filter(pk=job.pk).update(locked_until=timezone.now() + dt.timedelta(minutes=5), locked_by_run=holder)

    with pytest.raises(DomainError, match=f"running now \\(run #{holder.pk}\\)"):
        services.run_job_now(operator, "testing.busy")


def test_a_message_delivered_twice_runs_the_job_once(operator, register_job, django_capture_on_commit_callbacks):
    calls = []
    register_job(lambda job_run, now: calls.append(now), key="testing.once")
    with django_capture_on_commit_callbacks(execute=True):
        run = services.run_job_now(operator, "testing.once")

    run_job.delay("testing.once", triggered_by_id=operator.pk, run_id=run.pk)  # redelivered

    assert len(calls) == 1 and JobRun.objects.filter(job__key="testing.once").count() == 1


def test_a_run_the_broker_refused_is_marked_failed_instead_of_waiting_forever(
    operator, register_job, monkeypatch, django_capture_on_commit_callbacks
):
    register_job(lambda job_run, now: None, key="testing.nobroker")

    def refuse(*args, **kwargs):
        raise ConnectionRefusedError("Error 111 connecting to 127.0.0.1:6379")

    monkeypatch.setattr(run_job, "apply_async", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.run_job_now(operator, "testing.nobroker")

    run.refresh_from_db()
    assert run.status == JobRun.Status.FAILED and "could not be handed to a worker" in run.error


def test_a_scheduled_start_of_a_job_no_longer_in_the_code_does_nothing(db):
    assert services.execute_job("gone.away") is None
    assert not Job.objects.filter(key="gone.away").exists()
