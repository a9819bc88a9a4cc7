import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from steward.access.scope import path_range_q
from steward.approvals.models import Application
from steward.approvals.permissions import MONITOR
from steward.approvals.registry import application_types
from steward.core.filters import StewardFilterSet
from steward.org.models import Org


class ApplicationFilterSet(StewardFilterSet):
    """Shared by the three lists and the API: type, status, org (and below), submission dates."""

    search_fields = ("title__icontains", "submitter__name__istartswith", "submitter__employee_no__istartswith")
    type = django_filters.ChoiceFilter(label=_("type"))
    status = django_filters.ChoiceFilter(choices=Application.Status.choices, label=_("status"))
    org = django_filters.ModelChoiceFilter(
        queryset=Org.objects.none(), method="in_org_subtree", label=_("org (and below)")
    )
    submitted_from = django_filters.DateFilter(
        field_name="submitted_at",
        lookup_expr="date__gte",
        label=_("submitted from"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    submitted_to = django_filters.DateFilter(
        field_name="submitted_at",
        lookup_expr="date__lte",
        label=_("submitted until"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    has_error = django_filters.BooleanFilter(method="with_error", label=_("approval failed"))

    class Meta:
        model = Application
        fields = ["q", "type", "status", "org", "submitted_from", "submitted_to", "has_error"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        self.filters["type"].extra["choices"] = application_types.choices()
        if request is not None:
            # Only orgs inside the monitor's scope can be chosen; an outside org matches nothing anyway.
            self.filters["org"].queryset = Org.objects.visible_to(request.user, MONITOR)

    def with_error(self, queryset, name, value):
        failed = queryset.filter(status=Application.Status.PENDING).exclude(last_error="")
        return failed if value else queryset.exclude(pk__in=failed.values("pk"))

    def in_org_subtree(self, queryset, name, value):
        return queryset.filter(org__in=Org.objects.filter(path_range_q("path", value.path)).values("pk"))


class MyApplicationFilterSet(ApplicationFilterSet):
    class Meta(ApplicationFilterSet.Meta):
        fields = ["q", "type", "status", "submitted_from", "submitted_to"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters.pop("org", None)
        self.filters.pop("has_error", None)


class InboxFilterSet(MyApplicationFilterSet):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters.pop("status", None)
