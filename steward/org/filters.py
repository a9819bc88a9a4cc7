import re

import django_filters
from django.utils.translation import gettext_lazy as _

from steward.access.scope import path_range_q
from steward.basedata.services import code_choices
from steward.core.filters import StewardFilterSet
from steward.org.models import Employee, Org
from steward.privacy.crypto import blind_index


class OrgFilterSet(StewardFilterSet):
    search_fields = ("name__icontains", "code__istartswith", "address__icontains")
    kind = django_filters.ChoiceFilter(choices=Org.Kind.choices, label=_("type"))
    is_active = django_filters.BooleanFilter(label=_("active"))

    class Meta:
        model = Org
        fields = ["q", "kind", "is_active"]


class BranchFilterSet(OrgFilterSet):
    search_fields = (
        "name__icontains",
        "code__istartswith",
        "address__icontains",
        "phone__icontains",
        "business_hours__icontains",
    )


ID_NUMBER_RE = re.compile(r"^\d{17}[\dXx]$|^\d{15}$")


class EmployeeFilterSet(StewardFilterSet):
    search_fields = ("name__istartswith", "employee_no__istartswith", "mobile__startswith")
    org = django_filters.ModelChoiceFilter(
        queryset=Org.objects.all(), method="in_org_subtree", label=_("org (and below)")
    )
    status = django_filters.ChoiceFilter(choices=Employee.Status.choices, label=_("status"))
    position = django_filters.ChoiceFilter(label=_("position"))
    level = django_filters.ChoiceFilter(label=_("level"))
    tier = django_filters.ChoiceFilter(label=_("tier"))

    class Meta:
        model = Employee
        fields = ["q", "org", "status", "position", "level", "tier"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        for name, table in (("position", "employee_position"), ("level", "employee_level"), ("tier", "employee_tier")):
            self.filters[name].extra["choices"] = code_choices(table, blank=False)
        if request is not None:
            self.filters["org"].queryset = Org.objects.visible_to(request.user, "org.employee:view")

    def quick_search(self, queryset, name, value):
        # An ID number is matched exactly through its blind index; it is never stored in plain.
        if ID_NUMBER_RE.match(value.strip()):
            return queryset.filter(id_number_index=blind_index("id_number", value))
        return super().quick_search(queryset, name, value)

    def in_org_subtree(self, queryset, name, value):
        return queryset.filter(org__in=Org.objects.filter(path_range_q("path", value.path)).values("pk"))
