import re

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from steward.access.scope import path_range_q
from steward.basedata.services import code_choices
from steward.core.filters import StewardFilterSet
from steward.customers.models import Customer
from steward.org.models import Org
from steward.privacy.crypto import blind_index

ID_NUMBER_RE = re.compile(r"^\d{17}[\dXx]$|^\d{15}$")
DIGITS_RE = re.compile(r"^\d{3,}$")


def quick_search(queryset, value: str):
    """Customer number (exact), ID number (exact, blind index), mobile (exact or prefix), name (prefix)."""
    value = re.sub(r"\s+", "", value or "")
    if not value:
        return queryset
    if ID_NUMBER_RE.match(value):
        return queryset.filter(Q(id_number_index=blind_index("id_number", value)) | Q(cif=value))
    if DIGITS_RE.match(value):
        return queryset.filter(Q(cif=value) | Q(mobile__startswith=value))
    return queryset.filter(Q(cif=value) | Q(name__startswith=value))


class CustomerFilterSet(StewardFilterSet):
    org = django_filters.ModelChoiceFilter(
        queryset=Org.objects.all(), method="in_org_subtree", label=_("org (and below)")
    )
    gender = django_filters.ChoiceFilter(choices=Customer.Gender.choices, label=_("gender"))
    risk_level = django_filters.ChoiceFilter(label=_("risk rating"))
    tier = django_filters.CharFilter(label=pgettext_lazy("customer", "tier"))
    status = django_filters.ChoiceFilter(choices=Customer.Status.choices, label=_("status"))
    aum_min = django_filters.NumberFilter(field_name="aum", lookup_expr="gte", label=_("AUM from"))
    aum_max = django_filters.NumberFilter(field_name="aum", lookup_expr="lte", label=_("AUM to"))

    class Meta:
        model = Customer
        fields = ["q", "org", "gender", "risk_level", "tier", "status", "aum_min", "aum_max"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["risk_level"].extra["choices"] = code_choices("risk_level", blank=False)
        if request is not None:
            self.filters["org"].queryset = Org.objects.visible_to(request.user, "org.org:view") | Org.objects.filter(
                pk=request.user.org_id
            )

    def quick_search(self, queryset, name, value):
        return quick_search(queryset, value)

    def in_org_subtree(self, queryset, name, value):
        return queryset.filter(org__in=Org.objects.filter(path_range_q("path", value.path)).values("pk"))
