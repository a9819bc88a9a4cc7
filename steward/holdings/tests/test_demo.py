import datetime as dt

from steward.customers.models import Customer
from steward.holdings.demo import seed_demo_holdings
from steward.holdings.models import DailyFigures, IntakeBatch
from steward.holdings.tests.conftest import set_parameter


def test_the_demo_loads_consecutive_days_through_the_intake_once(bank):
    now = dt.datetime(2026, 4, 2, 9, tzinfo=dt.UTC)
    bank.north_rm.position = "rm"
    bank.north_rm.save()

    assert seed_demo_holdings(customers=12, days=3, now=now) == 12
    assert seed_demo_holdings(customers=12, days=3, now=now) == 0

    assert Customer.objects.filter(owner=bank.north_rm, org=bank.north_team).count() == 12
    assert sorted(set(DailyFigures.objects.values_list("data_date", flat=True))) == [
        dt.date(2026, 3, 30),
        dt.date(2026, 3, 31),
        dt.date(2026, 4, 1),
    ]
    assert not IntakeBatch.objects.exclude(status="loaded").exists()


def test_the_demo_history_command_writes_the_earlier_days_and_the_job_loads_them(bank, tmp_path, settings, monkeypatch):
    """Issue 13, point 4: `manage.py demo_history` (started in the background by seed_demo) writes
    the earlier days to the drop folder and runs the drop-folder job, visible as a job run."""
    from django.core.management import call_command

    from steward.jobs.models import JobRun

    settings.VAR_DIR = tmp_path
    monkeypatch.setenv("STEWARD_DEMO_QUICK_DAYS", "2")
    now = dt.datetime(2026, 4, 2, 9, tzinfo=dt.UTC)
    bank.north_rm.position = "rm"
    bank.north_rm.save()
    bank.admin.employee_no = "admin"
    bank.admin.save()
    seed_demo_holdings(customers=12, days=2, now=now, background=False)  # the two newest days
    set_parameter("holdings.drop_folder", str(tmp_path / "demo-intake"))  # (as the command sets it)

    call_command("demo_history", customers=12, first="2026-03-28", last="2026-03-30")

    dates = sorted(set(DailyFigures.objects.values_list("data_date", flat=True)))
    assert dates == [dt.date(2026, 3, d) for d in (28, 29, 30, 31)] + [dt.date(2026, 4, 1)]
    run = JobRun.objects.get(job__key="holdings.load_drop_folder")
    assert run.status == "succeeded" and run.counts.get("processed") == 3
    assert (tmp_path / "demo-intake" / "2026-03-28" / "_READY").exists()
    newest = Customer.objects.filter(figures__as_of=dt.date(2026, 4, 1)).count()
    assert newest == 12  # the earlier days did not move the figures back
