import datetime as dt

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from steward.channels.models import Channel, OutboundMessage, Purpose, Status
from steward.core.filters import StewardFilterSet


def _start_of_local_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _an_id(value) -> int | None:
    """A positive id a database column holds, or None (junk and ids beyond 64 bits match nothing)."""
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if number == value and 0 < number < 2**63 else None


class OutboxFilterSet(StewardFilterSet):
    """The outbox's filters, shared by the page and the API. The quick search finds a customer by
    number or name, an employee by number or name; addresses are personal data and not searched."""

    status = django_filters.ChoiceFilter(choices=Status.choices, label=_("status"))
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("channel"))
    purpose = django_filters.ChoiceFilter(choices=Purpose.choices, label=_("purpose"))
    batch = django_filters.NumberFilter(method="by_batch", label=_("batch"))
    date_from = django_filters.DateFilter(method="from_day", label=_("queued from"))
    date_to = django_filters.DateFilter(method="to_day", label=_("queued to"))

    class Meta:
        model = OutboundMessage
        fields = ["q", "status", "channel", "purpose", "batch", "date_from", "date_to"]

    def quick_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(customer__cif=value)
            | Q(customer__name__startswith=value)
            | Q(employee__employee_no=value)
            | Q(employee__name__startswith=value)
        )

    def by_batch(self, queryset, name, value):
        number = _an_id(value)
        return queryset.none() if number is None else queryset.filter(batch_id=number)

    def from_day(self, queryset, name, value):
        return queryset.filter(queued_at__gte=_start_of_local_day(value)) if value else queryset

    def to_day(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(queued_at__lt=_start_of_local_day(value + dt.timedelta(days=1)))


class OutboxApiFilterSet(OutboxFilterSet):
    """The API's filters: the page's, and ?customer=<id>, ?employee=<id>."""

    customer = django_filters.NumberFilter(method="by_customer", label=_("customer id"))
    employee = django_filters.NumberFilter(method="by_employee", label=_("employee id"))

    class Meta(OutboxFilterSet.Meta):
        fields = [*OutboxFilterSet.Meta.fields, "customer", "employee"]

    def by_customer(self, queryset, name, value):
        number = _an_id(value)
        return queryset.none() if number is None else queryset.filter(customer_id=number)

    def by_employee(self, queryset, name, value):
        number = _an_id(value)
        return queryset.none() if number is None else queryset.filter(employee_id=number)
