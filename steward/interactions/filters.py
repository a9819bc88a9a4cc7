import datetime as dt

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from steward.core.filters import StewardFilterSet
from steward.customers.models import CustomerAlias
from steward.interactions.models import CallRecord, Interaction


def _start_of_local_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class InteractionFilterSet(StewardFilterSet):
    """The contact list's filters, shared by the page and the API. Dates are local calendar days,
    compared as times (an index range on occurred_at, no cast per row)."""

    search_fields = ("summary__icontains", "next_step__icontains")
    channel = django_filters.ChoiceFilter(choices=Interaction.Channel.choices, label=_("channel"))
    direction = django_filters.ChoiceFilter(choices=Interaction.Direction.choices, label=_("direction"))
    outcome = django_filters.ChoiceFilter(choices=Interaction.Outcome.choices, label=_("outcome"))
    source = django_filters.ChoiceFilter(choices=Interaction.Source.choices, label=_("source"))
    is_contact = django_filters.BooleanFilter(label=_("counts as a contact"))
    employee = django_filters.CharFilter(method="by_employee", label=_("employee (number or name)"))
    customer_number = django_filters.CharFilter(method="by_customer_number", label=_("customer number"))
    date_from = django_filters.DateFilter(method="from_day", label=_("from"))
    date_to = django_filters.DateFilter(method="to_day", label=_("to"))

    class Meta:
        model = Interaction
        fields = [
            "q",
            "customer_number",
            "channel",
            "direction",
            "outcome",
            "employee",
            "date_from",
            "date_to",
            "source",
            "is_contact",
        ]

    def by_employee(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(employee__employee_no=value) | Q(employee__name__startswith=value))

    def by_customer_number(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        # A merged number finds the survivor's contacts (CUS-12).
        survivor = CustomerAlias.objects.filter(cif=value).values_list("customer_id", flat=True).first()
        condition = Q(customer__cif=value)
        if survivor is not None:
            condition |= Q(customer_id=survivor)
        return queryset.filter(condition)

    def from_day(self, queryset, name, value):
        return queryset.filter(occurred_at__gte=_start_of_local_day(value)) if value else queryset

    def to_day(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(occurred_at__lt=_start_of_local_day(value + dt.timedelta(days=1)))


class InteractionApiFilterSet(InteractionFilterSet):
    """The API's filters: the page's, and ?customer=<id>."""

    customer = django_filters.NumberFilter(method="by_customer", label=_("customer id"))

    class Meta(InteractionFilterSet.Meta):
        fields = [*InteractionFilterSet.Meta.fields, "customer"]

    def by_customer(self, queryset, name, value):
        if value is None or value != int(value) or not 0 < value < 2**63:
            return queryset.none()
        return queryset.filter(customer_id=int(value))


class CallFilterSet(StewardFilterSet):
    """The calls page's and API's filters: the day (data date), how the call was matched, and why not."""

    search_fields = ("call_id",)
    data_date = django_filters.DateFilter(label=_("day"))
    status = django_filters.ChoiceFilter(choices=CallRecord.Status.choices, label=_("status"))
    reason = django_filters.ChoiceFilter(
        choices=[c for c in CallRecord.Reason.choices if c[0]], label=_("reason not matched")
    )
    source = django_filters.ChoiceFilter(choices=CallRecord.SOURCES, label=_("source"))
    direction = django_filters.ChoiceFilter(choices=Interaction.Direction.choices, label=_("direction"))
    outcome = django_filters.ChoiceFilter(choices=CallRecord.Outcome.choices, label=_("outcome"))

    class Meta:
        model = CallRecord
        fields = ["q", "data_date", "status", "reason", "source", "direction", "outcome"]
