import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from steward.audit.models import AuditEntry
from steward.core.filters import StewardFilterSet


class AuditEntryFilterSet(StewardFilterSet):
    search_fields = ("object_repr__icontains", "message__icontains", "request_id")
    actor = django_filters.CharFilter(field_name="actor_repr", lookup_expr="icontains", label=_("actor"))
    action = django_filters.CharFilter(lookup_expr="istartswith", label=_("action"))
    object_type = django_filters.CharFilter(lookup_expr="iexact", label=_("object type"))
    object_id = django_filters.CharFilter(method="by_object_id", label=_("object id"))
    since = django_filters.DateTimeFilter(
        field_name="timestamp",
        lookup_expr="gte",
        label=_("from"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    until = django_filters.DateTimeFilter(
        field_name="timestamp",
        lookup_expr="lte",
        label=_("until"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )

    def quick_search(self, queryset, name, value):
        """Name, message and request id — but not the name or message of an entry about a record
        whose identity the reader may not see (a confidential customer without a grant)."""
        from steward.audit.visibility import Visibility

        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Visibility(getattr(self.request, "user", None)).search_q(value))

    class Meta:
        model = AuditEntry
        fields = ["q", "actor", "action", "object_type", "object_id", "since", "until"]

    def by_object_id(self, queryset, name, value):
        # A record is named directly, or among the ids of a bulk summary entry.
        from django.db.models import Q

        value = value.strip()
        if not value:
            return queryset
        direct = Q(object_id=value)
        if value.isdigit():
            from django.db import connection

            if connection.vendor == "postgresql":
                direct |= Q(ids__contains=[int(value)])
            else:  # SQLite's JSON has no containment lookup; match the number inside the stored list
                direct |= Q(ids__regex=rf"(^|[^0-9]){value}([^0-9]|$)")
        return queryset.filter(direct)
