"""The built-in housekeeping jobs: idempotent, and they take `now`."""

import datetime as dt

from django.contrib.sessions.models import Session
from django.utils import timezone

from steward.jobs import housekeeping, services
from steward.jobs.models import JobRun
from steward.org.models import UserSession


def session(key, expires, user=None):
    Session.objects.create(session_key=key, session_data="", expire_date=expires)
    if user is not None:
        UserSession.objects.create(user=user, session_key=key)


def test_expired_sessions_and_their_online_records_are_cleared_and_live_ones_kept(bank):
    now = timezone.now()
    session("expired-with-record", now - dt.timedelta(minutes=1), bank.north_rm)
    session("expired-bare", now - dt.timedelta(days=3))
    session("live", now + dt.timedelta(hours=1), bank.south_rm)
    UserSession.objects.create(user=bank.admin, session_key="session-already-gone")

    run = services.execute_job("org.clear_expired_sessions")

    assert run.counts == {"processed": 2, "deleted": 2, "orphan_records_deleted": 1}
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live"]
    assert list(UserSession.objects.values_list("session_key", flat=True)) == ["live"]
    assert (run.progress_done, run.progress_total) == (2, 2)

    again = services.execute_job("org.clear_expired_sessions")
    assert again.counts == {"processed": 0, "deleted": 0, "orphan_records_deleted": 0}


def test_clearing_sessions_as_of_an_earlier_moment_keeps_what_had_not_expired_then(bank):
    now = timezone.now()
    session("expired-yesterday", now - dt.timedelta(days=1))
    session("expired-an-hour-ago", now - dt.timedelta(hours=1))

    result = housekeeping.clear_expired_sessions(now - dt.timedelta(hours=2))

    assert result["deleted"] == 1
    assert list(Session.objects.values_list("session_key", flat=True)) == ["expired-an-hour-ago"]


def test_old_finished_runs_are_trimmed_and_recent_or_unfinished_ones_kept(db):
    job = services.ensure_job("audit.verify_chain")
    now = timezone.now()
    old = now - dt.timedelta(days=181)
    JobRun.objects.create(job=job, status=JobRun.Status.SUCCEEDED, queued_at=old)
    JobRun.objects.create(job=job, status=JobRun.Status.FAILED, queued_at=old)
    stuck = JobRun.objects.create(job=job, status=JobRun.Status.QUEUED, queued_at=old)
    recent = JobRun.objects.create(job=job, status=JobRun.Status.SUCCEEDED, queued_at=now - dt.timedelta(days=10))

    run = services.execute_job("jobs.purge_old_runs", now=now)

    assert run.counts == {"processed": 2, "deleted": 2}
    assert set(JobRun.objects.values_list("pk", flat=True)) == {stuck.pk, recent.pk, run.pk}
