import django_filters
from django.utils.translation import gettext_lazy as _

from steward.attendance.measures import measure_choices
from steward.attendance.models import AttendanceDay, Quota
from steward.core.filters import StewardFilterSet

DATE_WIDGET = {"type": "date"}


class AttendanceDayFilterSet(StewardFilterSet):
    search_fields = ("employee__name__startswith", "employee__employee_no__startswith")
    employee = django_filters.NumberFilter(field_name="employee_id", widget=django_filters.widgets.forms.HiddenInput)
    date_from = django_filters.DateFilter(
        field_name="date",
        lookup_expr="gte",
        label=_("from"),
        widget=django_filters.widgets.forms.DateInput(DATE_WIDGET),
    )
    date_to = django_filters.DateFilter(
        field_name="date", lookup_expr="lte", label=_("to"), widget=django_filters.widgets.forms.DateInput(DATE_WIDGET)
    )

    class Meta:
        model = AttendanceDay
        fields = ["q", "status", "date_from", "date_to", "employee"]


class QuotaFilterSet(StewardFilterSet):
    search_fields = ("org__name__startswith",)
    measure = django_filters.ChoiceFilter(label=_("measure"), choices=measure_choices)

    class Meta:
        model = Quota
        fields = ["q", "measure"]
