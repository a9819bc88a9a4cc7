import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from steward.basedata.models import CalendarDay, CodeTable, SystemParameter
from steward.core.filters import StewardFilterSet


class CodeTableFilterSet(StewardFilterSet):
    search_fields = ("code__icontains", "name__icontains", "name_en__icontains", "items__label__icontains")

    class Meta:
        model = CodeTable
        fields = ["q"]

    def quick_search(self, queryset, name, value):
        return super().quick_search(queryset, name, value).distinct()


class ParameterFilterSet(StewardFilterSet):
    search_fields = ("key__icontains", "label__icontains", "label_en__icontains")
    group = django_filters.CharFilter(label=_("group"))

    class Meta:
        model = SystemParameter
        fields = ["q", "group"]


class YearFilter(django_filters.NumberFilter):
    """A whole year: "2026.5" or "0" is a clear 400 / an empty list, never a date the database
    cannot build (a 500)."""

    field_class = forms.IntegerField


class CalendarDayFilterSet(StewardFilterSet):
    search_fields = ("name__icontains", "name_en__icontains")
    year = YearFilter(field_name="date__year", label=_("Year"), min_value=1900, max_value=9999)

    class Meta:
        model = CalendarDay
        fields = ["q", "year", "kind"]


class CalendarDayApiFilterSet(django_filters.FilterSet):
    date__year = YearFilter(field_name="date__year", min_value=1, max_value=9999)

    class Meta:
        model = CalendarDay
        fields = {"date": ["exact", "gte", "lte"], "kind": ["exact"]}
