"""PLT-08: with CELERY_BROKER_URL=redis://…, the same jobs run on a separate `celery worker` process.

The test starts a real worker (`celery -A steward worker`) against the local Redis and the
test's own PostgreSQL database, sends it a "run now" and a beat-shaped message, and waits
(at most a minute) for the runs it records. Select it with `pytest -m real_worker`.

It skips on SQLite, whose test database lives in pytest's memory where no other process
can see it, and when Redis is unreachable — except in CI (CI=true), where that fails.
Each run uses its own queue name, so parallel runs (pytest -n 2) never take each other's messages.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.utils import timezone

from steward.celery import app
from steward.jobs import services
from steward.jobs.models import JobRun
from steward.jobs.tasks import run_job

pytestmark = [pytest.mark.real_worker, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[3]
REDIS_URL = os.environ.get("STEWARD_TEST_REDIS_URL", "redis://127.0.0.1:6379/11")
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
DEADLINE_SECONDS = 60
POLL_SECONDS = 0.2  # how often the database is looked at while the worker works


def require_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip(
            "The real-worker test needs a database another process can open; pytest's SQLite test database "
            "is in memory. It runs on PostgreSQL (DATABASE_URL=postgres://…)."
        )


def require_redis():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        message = f"Redis at {REDIS_URL} is unreachable ({error})"
        if IN_CI:
            pytest.fail(f"{message}; CI must run the real-worker test.")
        pytest.skip(message)


def test_database_url() -> str:
    """The URL of the database this test uses (pytest-django's test database)."""
    s = connection.settings_dict
    credentials = quote(s["USER"] or "", safe="")
    if s.get("PASSWORD"):
        credentials += ":" + quote(s["PASSWORD"], safe="")
    host = s["HOST"] or "localhost"
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgres://{credentials}@{host}{port}/{s['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


def start_worker(queue: str, log_path: Path, var_dir: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "CELERY_BROKER_URL": REDIS_URL,
        "CELERY_REAL_WORKER": "1",
        "STEWARD_TESTING": "1",
        "STEWARD_VAR_DIR": str(var_dir),
        "PYTHONUNBUFFERED": "1",
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "steward",
        "worker",
        "--pool=solo",
        f"--queues={queue}",
        f"--hostname={queue}@%h",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--loglevel=INFO",
    ]
    log = log_path.open("w")
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def stop_worker(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def wait_for_finished_runs(keys, worker, log_path) -> list[JobRun]:
    """One finished run of each job in `keys`, waiting at most DEADLINE_SECONDS."""
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        runs = list(JobRun.objects.filter(job__key__in=keys).select_related("job"))
        if sorted(run.job.key for run in runs if run.is_finished) == sorted(keys):
            return runs
        if worker.poll() is not None:
            pytest.fail(f"The worker stopped (exit {worker.returncode}):\n{log_path.read_text()[-4000:]}")
        time.sleep(POLL_SECONDS)
    pytest.fail(f"The worker did not finish the runs within {DEADLINE_SECONDS} s:\n{log_path.read_text()[-4000:]}")


def test_a_real_worker_runs_jobs_sent_through_redis(operator, monkeypatch, tmp_path):
    require_postgresql()
    require_redis()
    queue = f"steward-test-{uuid.uuid4().hex[:12]}"
    now = timezone.now()
    Session.objects.create(session_key="expired-1", session_data="", expire_date=now - dt.timedelta(hours=1))
    Session.objects.create(session_key="live-1", session_data="", expire_date=now + dt.timedelta(hours=1))

    # This process sends real messages: no eager mode, and every send goes to the test's queue on Redis.
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    broker = app.connection_for_write(REDIS_URL)
    send = run_job.apply_async
    monkeypatch.setattr(run_job, "apply_async", lambda *a, **kw: send(*a, queue=queue, connection=broker, **kw))

    log_path = tmp_path / "worker.log"
    worker = start_worker(queue, log_path, tmp_path)
    try:
        manual = services.run_job_now(operator, "org.clear_expired_sessions")  # queued on commit (autocommit here)
        run_job.apply_async(args=["audit.verify_chain"])  # exactly what beat sends

        runs = wait_for_finished_runs(["org.clear_expired_sessions", "audit.verify_chain"], worker, log_path)
    finally:
        app.conf.task_always_eager = eager
        stop_worker(worker)
        broker.release()
        import redis

        redis.Redis.from_url(REDIS_URL).delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")

    by_job = {run.job.key: run for run in runs}
    assert len(runs) == 2
    sessions_run, chain_run = by_job["org.clear_expired_sessions"], by_job["audit.verify_chain"]
    assert sessions_run.pk == manual.pk and sessions_run.status == JobRun.Status.SUCCEEDED, sessions_run.error
    assert sessions_run.triggered_by == operator and sessions_run.counts["deleted"] == 1
    assert sessions_run.worker.endswith(f":{worker.pid}")  # done by the worker process, not by this one
    assert list(Session.objects.values_list("session_key", flat=True)) == ["live-1"]
    assert chain_run.status == JobRun.Status.SUCCEEDED and chain_run.triggered_by is None, chain_run.error
    assert chain_run.counts["checked"] > 0
