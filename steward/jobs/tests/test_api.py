"""PLT-08 / PLT-11: the scheduling centre through the API, with the same permissions as the pages."""

import pytest
from django_celery_beat.models import PeriodicTask
from rest_framework.test import APIClient

from steward.access.registry import registry
from steward.jobs import services
from steward.jobs.models import JobRun
from steward.jobs.registry import jobs as job_registry
from steward.testing import grant


@pytest.fixture
def api(operator):
    client = APIClient()
    client.force_authenticate(operator)
    return client


def test_jobs_are_listed_and_addressed_by_key(api):
    services.execute_job("audit.verify_chain")

    listing = api.get("/api/v1/jobs/").json()
    one = api.get("/api/v1/jobs/audit.verify_chain/").json()

    # Every registered job, in key order (apps add their own: audit, jobs, org, holdings …).
    assert [job["key"] for job in listing["results"]] == sorted(job_registry.keys())
    assert {"audit.verify_chain", "jobs.purge_old_runs", "org.clear_expired_sessions"} <= set(job_registry.keys())
    assert one["schedule"] == {
        "kind": "crontab",
        "crontab": "0 3 * * *",
        "every": None,
        "period": "",
        "text": "cron 0 3 * * * (Asia/Shanghai)",
    }
    assert one["enabled"] is True and one["next_run_at"] and one["last_run"]["status"] == "succeeded"


def test_run_now_through_the_api_returns_the_recorded_run(api, operator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/jobs/org.clear_expired_sessions/run/", {"now": "2026-04-01T02:00:00+08:00"})

    assert response.status_code == 202
    run = JobRun.objects.get(pk=response.json()["id"])
    assert run.triggered_by == operator and run.business_now.isoformat() == "2026-03-31T18:00:00+00:00"
    detail = api.get(f"/api/v1/job-runs/{run.pk}/").json()
    assert detail["status"] == "succeeded" and detail["job"] == "org.clear_expired_sessions"
    assert api.get("/api/v1/job-runs/", {"job": "audit.verify_chain"}).json()["count"] == 0


def test_schedule_pause_and_resume_through_the_api(api):
    bad = api.post("/api/v1/jobs/audit.verify_chain/schedule/", {"crontab": "0 3 * * 8"}, format="json")
    assert bad.status_code == 400 and "day of week field “8”" in bad.json()["crontab"][0]

    good = api.post("/api/v1/jobs/audit.verify_chain/schedule/", {"every": 30, "period": "minutes"}, format="json")
    assert good.status_code == 200 and good.json()["schedule"]["text"] == "every 30 minutes"

    assert api.post("/api/v1/jobs/audit.verify_chain/pause/").json()["enabled"] is False
    assert api.post("/api/v1/jobs/audit.verify_chain/resume/").json()["enabled"] is True


def test_jobs_cannot_be_created_through_the_api(api):
    assert api.post("/api/v1/jobs/", {"key": "made.up"}, format="json").status_code == 405


# The scheduling centre's own permission matrix (steward/access/tests/test_api_permission_matrix.py
# defers to it): a caller holding every other permission is refused and changes nothing; a caller
# holding only the named permission is served.
ENDPOINTS = [
    ("get", "/api/v1/jobs/", None, "jobs.job:view"),
    ("get", "/api/v1/jobs/audit.verify_chain/", None, "jobs.job:view"),
    ("post", "/api/v1/jobs/audit.verify_chain/run/", {}, "jobs.job:run"),
    ("post", "/api/v1/jobs/audit.verify_chain/pause/", {}, "jobs.job:change"),
    ("post", "/api/v1/jobs/jobs.purge_old_runs/resume/", {}, "jobs.job:change"),
    ("post", "/api/v1/jobs/audit.verify_chain/schedule/", {"crontab": "0 4 * * *"}, "jobs.job:change"),
    ("get", "/api/v1/job-runs/", None, "jobs.job:view"),
    ("get", "/api/v1/job-runs/{run}/", None, "jobs.job:view"),
]
IDS = [f"{method.upper()} {url} needs {permission}" for method, url, _payload, permission in ENDPOINTS]


@pytest.fixture
def world(bank):
    """A finished run to read, and one paused job to resume."""
    run = services.execute_job("org.clear_expired_sessions")
    task = PeriodicTask.objects.get(name="jobs.purge_old_runs")
    task.enabled = False
    task.save()
    return {"run": run.pk}


def snapshot():
    return (
        list(PeriodicTask.objects.values_list("name", "enabled", "crontab_id", "interval_id").order_by("name")),
        JobRun.objects.count(),
    )


def call(user, method, url, payload):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return getattr(client, method)(url, payload, format="json") if payload is not None else getattr(client, method)(url)


@pytest.mark.parametrize(("method", "url", "payload", "permission"), ENDPOINTS, ids=IDS)
def test_an_endpoint_refuses_a_caller_without_its_permission(bank, world, method, url, payload, permission):
    grant(bank.admin, *(set(registry.permissions) - {permission}), scope="all")
    before = snapshot()

    response = call(bank.admin, method, url.format(**world), payload)

    assert response.status_code == 403, response.content
    assert snapshot() == before


@pytest.mark.parametrize(("method", "url", "payload", "permission"), ENDPOINTS, ids=IDS)
def test_an_endpoint_serves_a_caller_with_only_its_permission(
    bank, world, method, url, payload, permission, django_capture_on_commit_callbacks
):
    grant(bank.admin, permission, scope="own")
    before = snapshot()

    with django_capture_on_commit_callbacks(execute=True):
        response = call(bank.admin, method, url.format(**world), payload)

    assert 200 <= response.status_code < 300, response.content
    if method != "get":
        assert snapshot() != before


@pytest.mark.parametrize(("method", "url", "payload", "permission"), ENDPOINTS, ids=IDS)
def test_an_endpoint_refuses_an_anonymous_caller(bank, world, method, url, payload, permission):
    assert call(None, method, url.format(**world), payload).status_code == 401


def test_creating_a_job_is_refused_before_it_is_even_considered(bank):
    grant(bank.north_rm, "jobs.job:view")
    assert call(bank.north_rm, "post", "/api/v1/jobs/", {"key": "made.up"}).status_code == 403


def test_an_unknown_key_is_a_404(api):
    assert api.get("/api/v1/jobs/no.such_job/").status_code == 404
