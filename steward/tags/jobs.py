from celery.schedules import crontab
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from steward.jobs.registry import system_job


@system_job(
    key="tags.recompute_rule_tags",
    label=_("Recompute rule tags"),
    default_schedule=crontab(minute="30", hour="6"),
    description=_(
        "Recomputes every active rule tag from its filter definition over all customers. "
        "The daily load also does this after each day; this job catches rules edited since."
    ),
    count_labels={"processed": _("tags computed"), "created": _("links added"), "updated": _("links removed")},
)
def recompute_rule_tags_job(job_run, now):
    from steward.tags.services import recompute_rule_tags

    results = recompute_rule_tags(None, now=now or timezone.now())
    return {
        "processed": len(results),
        "created": sum(added for added, _removed in results.values()),
        "updated": sum(removed for _added, removed in results.values()),
    }
