import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from steward.jobs.registry import system_job


@system_job(
    key="tasks.evaluate_conditions",
    label=_("Bring open assigned tasks up to date"),
    default_schedule=dt.timedelta(hours=1),
    description=_(
        "Evaluates the condition of every open dynamic task again and adds the customers who match now "
        "(worked items are never removed), deals the system-assigned items not yet dealt to the assignees "
        "present, and gives each open re-service item to the customer's current relationship manager."
    ),
    count_labels={"processed": _("tasks evaluated"), "created": _("items added"), "updated": _("items dealt or moved")},
)
def evaluate_conditions_job(job_run, now):
    from steward.tasks.services import evaluate_open_tasks

    count, totals = evaluate_open_tasks(now=now or timezone.now())
    return {"processed": count, "created": totals.added, "updated": totals.dealt + totals.moved}
