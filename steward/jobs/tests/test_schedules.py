"""PLT-08: jobs are registered in code with a default cycle; administrators change, pause and resume them."""

import datetime as dt

import pytest
from celery.schedules import crontab
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from steward.audit.models import AuditEntry
from steward.core.errors import DomainError
from steward.jobs import services
from steward.jobs.models import Job
from steward.jobs.registry import SystemJob
from steward.jobs.registry import jobs as job_registry
from steward.testing import grant

BUILT_IN = ("audit.verify_chain", "jobs.purge_old_runs", "org.clear_expired_sessions")


def noop(job_run, now):
    return None


def test_after_migrate_every_built_in_job_has_its_default_schedule(db):
    tasks = {task.name: task for task in PeriodicTask.objects.filter(name__in=BUILT_IN).select_related("crontab")}

    assert set(tasks) == set(BUILT_IN)
    verify = tasks["audit.verify_chain"]
    assert verify.task == "steward.jobs.tasks.run_job" and verify.args == '["audit.verify_chain"]'
    assert (verify.crontab.minute, verify.crontab.hour) == ("0", "3") and verify.enabled
    assert Job.objects.get(key="audit.verify_chain").periodic_task == verify


def test_syncing_again_keeps_what_an_administrator_changed(operator):
    services.set_schedule(operator, "audit.verify_chain", every=6, period="hours")
    services.pause_job(operator, "audit.verify_chain")

    services.sync_jobs()
    services.ensure_job("audit.verify_chain")

    task = PeriodicTask.objects.get(name="audit.verify_chain")
    assert services.schedule_of(task) == services.Schedule("interval", every=6, period="hours")
    assert task.enabled is False
    assert PeriodicTask.objects.filter(name="audit.verify_chain").count() == 1


def test_a_job_registered_by_an_app_gets_its_schedule_row_with_the_default_interval(db, register_job):
    register_job(noop, key="testing.every_ten", schedule=dt.timedelta(minutes=10))

    services.sync_jobs()

    task = Job.objects.get(key="testing.every_ten").periodic_task
    assert (task.interval.every, task.interval.period) == (10, "minutes")


@pytest.mark.parametrize(
    ("key", "schedule", "problem"),
    [
        ("nodot", crontab(), "must look like"),
        ("testing.bad", "0 3 * * *", "crontab or a timedelta"),
        ("testing.fast", dt.timedelta(seconds=5), "at least one minute"),
    ],
)
def test_the_registry_refuses_badly_declared_jobs(key, schedule, problem):
    with pytest.raises(ValueError, match=problem):
        job_registry.add(SystemJob(key, "x", noop, schedule))
    assert key not in job_registry


def test_the_registry_refuses_a_key_registered_twice():
    with pytest.raises(ValueError, match="registered twice"):
        job_registry.add(SystemJob("audit.verify_chain", "again", noop, crontab()))


def test_an_administrator_sets_a_crontab_and_beat_is_told(operator):
    before = PeriodicTask.objects.get(name="org.clear_expired_sessions").date_changed

    services.set_schedule(operator, "org.clear_expired_sessions", crontab="*/10  8-18 * * 1-5")

    task = PeriodicTask.objects.select_related("crontab").get(name="org.clear_expired_sessions")
    c = task.crontab
    assert (c.minute, c.hour, c.day_of_month, c.month_of_year, c.day_of_week) == ("*/10", "8-18", "*", "*", "1-5")
    assert str(c.timezone) == "Asia/Shanghai" and task.interval is None
    assert task.date_changed > before
    entry = AuditEntry.objects.filter(action="job.schedule_changed").first()
    assert entry.actor == operator
    assert entry.changes["schedule"] == ["cron 15 * * * * (Asia/Shanghai)", "cron */10 8-18 * * 1-5 (Asia/Shanghai)"]


@pytest.mark.parametrize(
    ("expression", "named"),
    [
        ("0 25 * * *", "hour field “25”"),
        ("61 3 * * *", "minute field “61”"),
        ("0 3 0 * *", "day of month field “0”"),
        ("0 3 * 13 *", "month field “13”"),
        ("0 3 * * 9", "day of week field “9”"),
        ("0 3 * * mon-xyz", "day of week field “mon-xyz”"),
        ("0 3 * *", "five fields"),
    ],
)
def test_a_bad_crontab_is_refused_and_the_message_names_the_field(operator, expression, named):
    with pytest.raises(DomainError) as error:
        services.set_schedule(operator, "audit.verify_chain", crontab=expression)

    assert named in str(error.value) and error.value.field == "crontab"
    assert PeriodicTask.objects.get(name="audit.verify_chain").crontab.hour == "3"


@pytest.mark.parametrize(
    ("every", "period", "field"),
    [(0, "hours", "every"), ("x", "hours", "every"), (5, "seconds", "period"), (5, "", "period")],
)
def test_a_bad_interval_is_refused(operator, every, period, field):
    with pytest.raises(DomainError) as error:
        services.set_schedule(operator, "audit.verify_chain", every=every, period=period)
    assert error.value.field == field


def test_an_interval_replaces_a_crontab(operator):
    services.set_schedule(operator, "audit.verify_chain", every=2, period="days")

    task = PeriodicTask.objects.get(name="audit.verify_chain")
    assert task.crontab is None and (task.interval.every, task.interval.period) == (2, "days")
    assert services.schedule_of(task).describe() == "every 2 days"


def test_pause_and_resume_switch_the_schedule_off_and_on_and_are_audited(operator):
    job = services.pause_job(operator, "audit.verify_chain")
    assert PeriodicTask.objects.get(name="audit.verify_chain").enabled is False
    assert services.next_run_at(Job.objects.get(pk=job.pk)) is None

    services.pause_job(operator, "audit.verify_chain")  # already paused: nothing changes
    services.resume_job(operator, "audit.verify_chain")

    assert PeriodicTask.objects.get(name="audit.verify_chain").enabled is True
    actions = list(AuditEntry.objects.filter(action__in=["job.paused", "job.resumed"]).order_by("seq"))
    assert [entry.action for entry in actions] == ["job.paused", "job.resumed"]


def test_the_next_run_follows_the_crontab_in_the_bank_time_zone(operator):
    services.set_schedule(operator, "audit.verify_chain", crontab="30 2 * * *")
    job = Job.objects.select_related("periodic_task__crontab").get(key="audit.verify_chain")
    now = timezone.now()

    moment = services.next_run_at(job, now)

    local = timezone.localtime(moment)
    assert (local.hour, local.minute, local.second) == (2, 30, 0)
    assert now < moment <= now + dt.timedelta(days=1)


def test_changing_a_schedule_needs_the_change_permission(bank):
    grant(bank.north_rm, "jobs.job:view", "jobs.job:run")

    for attempt in (
        lambda: services.set_schedule(bank.north_rm, "audit.verify_chain", crontab="0 4 * * *"),
        lambda: services.pause_job(bank.north_rm, "audit.verify_chain"),
        lambda: services.resume_job(bank.north_rm, "audit.verify_chain"),
    ):
        with pytest.raises(PermissionDenied):
            attempt()
    assert PeriodicTask.objects.get(name="audit.verify_chain").crontab.hour == "3"


def test_a_job_no_longer_in_the_code_cannot_be_scheduled_or_run(operator):
    Job.objects.create(key="gone.away")

    with pytest.raises(DomainError, match="no longer a system job"):
        services.set_schedule(operator, "gone.away", crontab="0 4 * * *")
    with pytest.raises(DomainError, match="no longer a system job"):
        services.run_job_now(operator, "gone.away")
