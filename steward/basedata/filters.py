import django_filters
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


class CalendarDayFilterSet(StewardFilterSet):
    search_fields = ("name__icontains", "name_en__icontains")
    year = django_filters.NumberFilter(field_name="date__year", label=_("Year"), min_value=1900, max_value=9999)

    class Meta:
        model = CalendarDay
        fields = ["q", "year", "kind"]
