import django_filters
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from steward.core.filters import StewardFilterSet
from steward.leads.models import Lead, RegionRoute

WHOSE = [("true", _("Mine only"))]


class LeadFilterSet(StewardFilterSet):
    search_fields = ("name__startswith", "campaign__icontains", "channel_ref")
    mine = django_filters.ChoiceFilter(
        label=_("whose"), method="by_mine", choices=WHOSE, empty_label=pgettext_lazy("filter", "Any")
    )

    class Meta:
        model = Lead
        fields = ["q", "stage", "source", "mine"]

    def by_mine(self, queryset, name, value):
        return queryset.filter(holder=self.request.user) if value == "true" else queryset


class ClaimableLeadFilterSet(StewardFilterSet):
    search_fields = ("name__startswith", "campaign__icontains")

    class Meta:
        model = Lead
        fields = ["q", "source"]


class RegionRouteFilterSet(StewardFilterSet):
    search_fields = ("province__startswith", "city__startswith", "org__name__startswith")

    class Meta:
        model = RegionRoute
        fields = ["q"]
