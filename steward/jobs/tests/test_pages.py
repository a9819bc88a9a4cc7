"""PLT-08: the scheduling-centre pages — list, job, run (with live progress), run cycle form, buttons."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from steward.jobs import services
from steward.jobs.models import Job, JobRun
from steward.jobs.registry import jobs as job_registry
from steward.testing import grant


def job_pk(key):
    return Job.objects.get(key=key).pk


def test_the_scheduling_centre_lists_every_job_with_cycle_state_and_buttons(operator, operator_client):
    services.execute_job("audit.verify_chain")

    page = operator_client.get("/jobs/")

    html = page.content.decode()
    assert page.status_code == 200
    for key in ("audit.verify_chain", "org.clear_expired_sessions", "jobs.purge_old_runs"):
        assert f'data-job="{key}"' in html
    assert "Verify the audit trail" in html and "cron 0 3 * * * (Asia/Shanghai)" in html
    assert 'data-status="succeeded"' in html  # the last run's outcome
    registered = len(job_registry.keys())
    assert html.count('data-testid="run-now"') == registered and html.count('data-testid="pause"') == registered


def test_a_viewer_sees_the_jobs_but_no_buttons(bank, client):
    grant(bank.north_rm, "jobs.job:view", scope="own")
    client.force_login(bank.north_rm)

    html = client.get("/jobs/").content.decode()

    assert 'data-job="audit.verify_chain"' in html  # jobs are bank-wide: no data scope narrows them
    assert 'data-testid="run-now"' not in html and 'data-testid="pause"' not in html
    assert 'data-testid="edit-schedule"' not in html


def test_without_the_view_permission_every_page_is_refused(bank, client):
    grant(bank.north_rm, "org.org:view")
    client.force_login(bank.north_rm)
    run = services.execute_job("audit.verify_chain")
    pk = job_pk("audit.verify_chain")

    for url in ("/jobs/", f"/jobs/{pk}/", "/jobs/runs/", f"/jobs/runs/{run.pk}/", f"/jobs/{pk}/schedule/"):
        assert client.get(url).status_code == 403, url
    assert "/jobs/" not in client.get("/").content.decode()  # no menu entry either


def test_forged_posts_without_the_right_permission_are_refused(bank, client):
    grant(bank.north_rm, "jobs.job:view")
    client.force_login(bank.north_rm)
    pk = job_pk("audit.verify_chain")

    assert client.post(f"/jobs/{pk}/run/").status_code == 403
    assert client.post(f"/jobs/{pk}/pause/", {"paused": "1"}).status_code == 403
    assert client.post(f"/jobs/{pk}/schedule/", {"kind": "crontab", "crontab": "0 4 * * *"}).status_code == 403
    assert not JobRun.objects.exists()
    assert PeriodicTask.objects.get(name="audit.verify_chain").enabled


def test_run_now_on_the_page_opens_the_run_with_its_outcome(
    operator, operator_client, django_capture_on_commit_callbacks
):
    pk = job_pk("org.clear_expired_sessions")

    with django_capture_on_commit_callbacks(execute=True):
        response = operator_client.post(f"/jobs/{pk}/run/")

    run = JobRun.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/jobs/runs/{run.pk}/"
    html = operator_client.get(response["Location"]).content.decode()
    assert 'data-status="succeeded"' in html and "Clear expired sessions" in html
    assert "sessions deleted" in html and operator.name in html
    assert 'hx-trigger="every 2s"' not in html  # finished: the page stops polling


def test_a_running_run_polls_every_two_seconds_and_shows_its_progress(operator, operator_client, register_job):
    register_job(lambda job_run, now: None, key="testing.shown")
    job = services.ensure_job("testing.shown")
    run = JobRun.objects.create(job=job, status=JobRun.Status.RUNNING, progress_done=250, progress_total=1000)
    Job.objects.filter(pk=job.pk).update(locked_until=timezone.now() + dt.timedelta(minutes=5), locked_by_run=run)

    page = operator_client.get(f"/jobs/runs/{run.pk}/").content.decode()
    partial = operator_client.get(f"/jobs/runs/{run.pk}/", headers={"HX-Request": "true"})

    assert 'hx-trigger="every 2s"' in page and "250 / 1000 (25%)" in page
    assert partial.status_code == 200 and "<html" not in partial.content.decode()
    assert 'id="run-status"' in partial.content.decode()

    JobRun.objects.filter(pk=run.pk).update(status=JobRun.Status.SUCCEEDED, progress_done=1000)
    done = operator_client.get(f"/jobs/runs/{run.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 2s"' not in done and "1000 / 1000 (100%)" in done


def test_a_failed_run_shows_its_error(operator, operator_client, register_job):
    def broken(job_run, now):
        raise ValueError("column 7 is not a date")

    register_job(broken, key="testing.broken")
    run = services.execute_job("testing.broken")

    html = operator_client.get(f"/jobs/runs/{run.pk}/").content.decode()

    assert 'data-status="failed"' in html and "ValueError: column 7 is not a date" in html


def test_pause_and_resume_buttons(operator, operator_client):
    pk = job_pk("audit.verify_chain")

    response = operator_client.post(f"/jobs/{pk}/pause/", {"paused": "1", "next": "/jobs/"})
    assert response.status_code == 302 and response["Location"] == "/jobs/"
    assert not PeriodicTask.objects.get(name="audit.verify_chain").enabled
    html = operator_client.get("/jobs/").content.decode()
    assert "is paused" in html and 'data-testid="resume"' in html

    operator_client.post(f"/jobs/{pk}/pause/", {"paused": "0"})
    assert PeriodicTask.objects.get(name="audit.verify_chain").enabled


def test_the_run_cycle_form_saves_a_crontab_and_names_a_bad_field(operator, operator_client):
    pk = job_pk("audit.verify_chain")
    form = operator_client.get(f"/jobs/{pk}/schedule/").content.decode()
    assert 'value="0 3 * * *"' in form

    bad = operator_client.post(f"/jobs/{pk}/schedule/", {"kind": "crontab", "crontab": "0 24 * * *"})
    assert bad.status_code == 200
    assert 'data-testid="field-error-crontab"' in bad.content.decode()
    assert "hour field “24”" in bad.content.decode()

    good = operator_client.post(f"/jobs/{pk}/schedule/", {"kind": "interval", "every": "6", "period": "hours"})
    assert good.status_code == 302 and good["Location"] == f"/jobs/{pk}/"
    assert "every 6 hours" in operator_client.get(good["Location"]).content.decode()


def test_the_job_page_pages_through_its_run_history(operator, operator_client):
    job = services.ensure_job("jobs.purge_old_runs")
    JobRun.objects.bulk_create([JobRun(job=job, status=JobRun.Status.SUCCEEDED) for _ in range(25)])

    first = operator_client.get(f"/jobs/{job.pk}/").content.decode()
    second = operator_client.get(f"/jobs/{job.pk}/?page=2").content.decode()

    assert "Showing 1 to 20 of 25" in first and "Showing 21 to 25 of 25" in second
    assert "Trim the job run history" in first and 'data-testid="job-schedule"' in first


@pytest.mark.parametrize(("trigger", "expected"), [("schedule", 1), ("manual", 1), ("", 2)])
def test_the_run_list_filters_by_who_started_the_run(operator, operator_client, trigger, expected):
    job = services.ensure_job("audit.verify_chain")
    JobRun.objects.create(job=job, status=JobRun.Status.SUCCEEDED)
    JobRun.objects.create(job=job, status=JobRun.Status.FAILED, triggered_by=operator)

    html = operator_client.get("/jobs/runs/", {"trigger": trigger}).content.decode()

    assert len(re.findall(r'href="/jobs/runs/\d+/"', html)) == expected
    if trigger == "schedule":
        assert re.search(r"<td[^>]*>Schedule</td>", html)  # a run nobody started says so
