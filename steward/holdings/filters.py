import django_filters
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from steward.access.scope import path_range_q
from steward.core.filters import StewardFilterSet
from steward.holdings.models import (
    ImportantDate,
    IntakeBatch,
    IntakeRejectedRow,
    Product,
    ProductCategory,
    Reminder,
    Transaction,
)


class ProductFilterSet(StewardFilterSet):
    search_fields = ("code__istartswith", "name__icontains")
    category = django_filters.ModelChoiceFilter(
        queryset=ProductCategory.objects.all(), method="in_category", label=_("category (and below)")
    )
    risk_level = django_filters.ChoiceFilter(choices=[(f"R{i}", f"R{i}") for i in range(1, 6)], label=_("risk level"))
    is_liability = django_filters.BooleanFilter(label=_("liability (loan)"))

    class Meta:
        model = Product
        fields = ["q", "category", "risk_level", "is_liability"]

    def in_category(self, queryset, name, value):
        return queryset.filter(path_range_q("category__path", value.path)) if value else queryset


class TransactionFilterSet(StewardFilterSet):
    search_fields = ("description__icontains", "reference__istartswith")
    direction = django_filters.ChoiceFilter(choices=Transaction.Direction.choices, label=_("direction"))
    data_date = django_filters.DateFromToRangeFilter(label=_("data date"))

    class Meta:
        model = Transaction
        fields = ["q", "direction", "data_date"]


class ReminderFilterSet(StewardFilterSet):
    """The reminder centre's filters, shared by the page and the API (SVC-03): state as the reader
    sees it today (blank: open, including the snoozed ones whose date has come), kind, date, and
    whose — the customers the user owns now (blank) or every customer of the data scope; the
    list's queryset is `reminders_of(user, whose=…)`."""

    search_fields = ("customer__name__istartswith", "customer__cif__istartswith")
    state = django_filters.ChoiceFilter(
        choices=[
            ("open", pgettext_lazy("reminder state", "Open")),
            ("snoozed", pgettext_lazy("reminder state", "Snoozed")),
            ("done", pgettext_lazy("reminder state", "Done")),
            ("dismissed", pgettext_lazy("reminder state", "Dismissed")),
            ("all", pgettext_lazy("reminder state", "All")),
        ],
        empty_label=None,
        method="applied_below",
        label=_("state"),
    )
    kind = django_filters.ChoiceFilter(choices=Reminder.Kind.choices, label=_("kind"))
    due_on = django_filters.DateFromToRangeFilter(label=_("date"))
    whose = django_filters.ChoiceFilter(
        choices=[("mine", _("My customers")), ("all", _("All customers in my data scope"))],
        empty_label=None,
        method="applied_below",
        label=_("customers"),
    )

    class Meta:
        model = Reminder
        fields = ["q", "state", "kind", "due_on", "whose"]

    def __init__(self, data=None, *args, **kwargs):
        # Unfiltered is a filter too: the open reminders on my customers.
        super().__init__(data if data is not None else QueryDict(""), *args, **kwargs)

    def applied_below(self, queryset, name, value):
        return queryset

    def filter_queryset(self, queryset):
        # "whose" is applied by the list's own queryset (steward.holdings.reminders.reminders_of),
        # inside the data scope's sub-select where the owner index serves it; here it is validated.
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        state = data.get("state") or "open"
        if state != "all":
            queryset = queryset.in_state(state, timezone.localdate())
        return queryset


class ImportantDateFilterSet(StewardFilterSet):
    search_fields = ("customer__name__istartswith", "customer__cif__istartswith", "label__icontains")
    yearly = django_filters.BooleanFilter(label=_("every year"))
    customer = django_filters.NumberFilter(
        field_name="customer_id", label=_("customer"), min_value=1, max_value=2**63 - 1
    )

    class Meta:
        model = ImportantDate
        fields = ["q", "yearly", "customer"]


class IntakeBatchFilterSet(StewardFilterSet):
    search_fields = ("file_name__icontains", "entity__istartswith", "source__istartswith")
    status = django_filters.ChoiceFilter(choices=IntakeBatch.Status.choices, label=_("status"))
    data_date = django_filters.DateFilter(label=_("data date"))

    class Meta:
        model = IntakeBatch
        fields = ["q", "status", "data_date"]


class RejectedRowFilterSet(StewardFilterSet):
    """Rejected rows by file (the batch), day, entity, source, or words of the reason."""

    search_fields = ("reason__icontains",)
    batch = django_filters.ModelChoiceFilter(
        queryset=IntakeBatch.objects.filter(rows_rejected__gt=0).order_by("-data_date", "source", "entity"),
        label=_("file"),
    )
    data_date = django_filters.DateFilter(field_name="batch__data_date", label=_("data date"))
    entity = django_filters.CharFilter(field_name="batch__entity", label=_("entity"))
    source = django_filters.CharFilter(field_name="batch__source", label=_("source"))

    class Meta:
        model = IntakeRejectedRow
        fields = ["q", "batch", "data_date", "entity", "source"]
