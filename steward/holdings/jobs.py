import datetime as dt

from django.utils.translation import gettext_lazy as _

from steward.holdings import services
from steward.holdings.progress import job_run_progress
from steward.jobs.registry import system_job


@system_job(
    key="holdings.load_drop_folder",
    label=_("Load T+1 files from the drop folder"),
    default_schedule=dt.timedelta(minutes=15),
    description=_(
        "Loads every complete day (a YYYY-MM-DD folder with a _READY file) found in the drop folder "
        "(parameter holdings.drop_folder) that is not loaded yet, then derives its figures and reminders."
    ),
    count_labels={"processed": _("days loaded"), "created": _("rows loaded"), "updated": _("rows rejected")},
)
def load_drop_folder(job_run, now):
    # Rows done / total of the file under way show on the run's page and on the intake page.
    results = services.load_drop_folder(now=now, progress=job_run_progress(job_run))
    return {
        "processed": len(results),
        "created": sum(b.rows_loaded for r in results for b in r.batches),
        "updated": sum(b.rows_rejected for r in results for b in r.batches),
    }


@system_job(
    key="holdings.load_market_events",
    label=_("Load T+1 market-events files from the drop folder"),
    default_schedule=dt.timedelta(hours=1),
    description=_(
        "Loads the market-events file (market_events.csv: IPO subscriptions and dividends) of every complete "
        "day in the drop folder not loaded yet, and raises their reminders for the products' holders."
    ),
    count_labels={"processed": _("files loaded"), "created": _("events loaded"), "updated": _("reminders raised")},
)
def load_market_events(job_run, now):
    from steward.holdings.reminders import load_market_events_from_drop_folder

    batches = load_market_events_from_drop_folder(now=now)
    return {
        "processed": len(batches),
        "created": sum(b.rows_loaded for b in batches if b.status == "loaded"),
        "updated": sum(getattr(b, "reminders_raised", 0) for b in batches),
    }
