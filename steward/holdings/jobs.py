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
