import datetime as dt

from django.utils.translation import gettext_lazy as _

from steward.channels import services
from steward.jobs.registry import system_job


@system_job(
    key="channels.release_due_messages",
    label=_("Send due messages"),
    default_schedule=dt.timedelta(minutes=1),
    description=_(
        "Hands to the workers the messages that are due: SMS held overnight once the send window opens, "
        "retries whose wait is over, and messages a stopped worker left unsent; settles SMS whose "
        "delivery report did not come in time."
    ),
    count_labels={
        "processed": _("messages handed to the workers"),
        "updated": _("held messages released"),
        "recovered": _("messages a stopped worker left, queued again"),
        "settled": _("SMS settled without a delivery report"),
    },
)
def release_due_messages(job_run, now):
    return services.release_due_messages(now=now, progress=job_run.set_progress).counts()
