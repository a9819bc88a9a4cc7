import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from steward.contactplans.models import ContactPlan
from steward.core.filters import StewardFilterSet

YES_NO = [("true", _("Yes")), ("false", _("No"))]
WHOSE = [("true", _("Mine only"))]


class ContactPlanFilterSet(StewardFilterSet):
    search_fields = ("customer__cif", "customer__name__startswith", "purpose__icontains")
    overdue = django_filters.ChoiceFilter(
        label=_("overdue"), method="by_overdue", choices=YES_NO, empty_label=pgettext_lazy("filter", "Any")
    )
    mine = django_filters.ChoiceFilter(
        label=_("whose"), method="by_mine", choices=WHOSE, empty_label=pgettext_lazy("filter", "Any")
    )
    # The team widget's drill-down (?owner=<id>); people type a number or a name instead.
    owner = django_filters.NumberFilter(
        field_name="owner_id", min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput
    )
    employee = django_filters.CharFilter(
        label=_("relationship manager (number or name)"), method="by_employee", max_length=100
    )
    planned_from = django_filters.DateFilter(field_name="planned_at", lookup_expr="date__gte", label=_("from"))
    planned_to = django_filters.DateFilter(field_name="planned_at", lookup_expr="date__lte", label=_("to"))

    class Meta:
        model = ContactPlan
        fields = ["q", "status", "channel", "overdue", "mine", "employee", "owner", "planned_from", "planned_to"]

    def by_overdue(self, queryset, name, value):
        if value not in ("true", "false"):
            return queryset
        late = {"status": ContactPlan.Status.PLANNED, "planned_at__lt": timezone.now()}
        return queryset.filter(**late) if value == "true" else queryset.exclude(**late)

    def by_mine(self, queryset, name, value):
        return queryset.filter(owner=self.request.user) if value == "true" else queryset

    def by_employee(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(owner__employee_no=value) | Q(owner__name__startswith=value))
