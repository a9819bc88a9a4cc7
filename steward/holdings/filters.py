import django_filters
from django.utils.translation import gettext_lazy as _

from steward.access.scope import path_range_q
from steward.core.filters import StewardFilterSet
from steward.holdings.models import IntakeBatch, IntakeRejectedRow, Product, ProductCategory, Reminder, Transaction


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
    kind = django_filters.ChoiceFilter(choices=Reminder.Kind.choices, label=_("kind"))

    class Meta:
        model = Reminder
        fields = ["kind"]


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
