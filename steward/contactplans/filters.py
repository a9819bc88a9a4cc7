import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from steward.contactplans.models import ContactPlan
from steward.core.filters import StewardFilterSet


class ContactPlanFilterSet(StewardFilterSet):
    search_fields = ("customer__cif", "customer__name__startswith", "purpose__icontains")
    overdue = django_filters.BooleanFilter(label=_("overdue"), method="by_overdue")
    mine = django_filters.BooleanFilter(label=_("mine only"), method="by_mine")
    owner = django_filters.NumberFilter(
        field_name="owner_id", label=_("relationship manager (id)"), min_value=1, max_value=2**63 - 1
    )
    planned_from = django_filters.DateFilter(field_name="planned_at", lookup_expr="date__gte", label=_("from"))
    planned_to = django_filters.DateFilter(field_name="planned_at", lookup_expr="date__lte", label=_("to"))

    class Meta:
        model = ContactPlan
        fields = ["q", "status", "channel", "overdue", "mine", "owner", "planned_from", "planned_to"]

    def by_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        late = {"status": ContactPlan.Status.PLANNED, "planned_at__lt": timezone.now()}
        return queryset.filter(**late) if value else queryset.exclude(**late)

    def by_mine(self, queryset, name, value):
        return queryset.filter(owner=self.request.user) if value else queryset
