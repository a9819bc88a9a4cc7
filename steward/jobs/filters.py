import django_filters
from django.utils.translation import gettext_lazy as _

from steward.core.filters import StewardFilterSet
from steward.jobs.models import JobRun
from steward.jobs.registry import jobs as job_registry


def job_choices():
    return [(job.key, str(job.label)) for job in job_registry]


class JobRunFilterSet(StewardFilterSet):
    search_fields = ("job__key__icontains", "message__icontains")
    job = django_filters.ChoiceFilter(field_name="job__key", choices=job_choices, label=_("job"))
    status = django_filters.ChoiceFilter(choices=JobRun.Status.choices, label=_("status"))
    trigger = django_filters.ChoiceFilter(
        choices=[("schedule", _("Schedule")), ("manual", _("By a person"))], method="by_trigger", label=_("started by")
    )
    queued_after = django_filters.DateFilter(field_name="queued_at", lookup_expr="date__gte", label=_("from"))
    queued_before = django_filters.DateFilter(field_name="queued_at", lookup_expr="date__lte", label=_("to"))

    class Meta:
        model = JobRun
        fields = ["job", "status", "trigger", "queued_after", "queued_before"]

    def by_trigger(self, queryset, name, value):
        if value == "schedule":
            return queryset.filter(triggered_by__isnull=True)
        if value == "manual":
            return queryset.filter(triggered_by__isnull=False)
        return queryset
