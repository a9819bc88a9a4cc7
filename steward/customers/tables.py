import django_tables2 as tables
from django.db.models import F
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from steward.core.tables import CodeLabelColumn, StewardTable
from steward.customers.identity import age_on
from steward.customers.models import Customer


class CustomerTable(StewardTable):
    cif = tables.Column(linkify=True, verbose_name=_("customer number"))
    name = tables.Column(linkify=True, verbose_name=_("name"))
    age = tables.Column(accessor="birth_date", verbose_name=_("age"), order_by=("-birth_date",))
    risk_level = CodeLabelColumn("risk_level", verbose_name=_("risk rating"))
    owner = tables.Column(accessor="owner__name", verbose_name=_("relationship manager"), default="—")
    org = tables.Column(accessor="org__name", verbose_name=_("managing org"))
    # The derived figures are the customer's `figures` row (select_related by the list views).
    tier = tables.Column(accessor="figures__tier", verbose_name=pgettext_lazy("customer", "tier"), default="—")
    aum = tables.Column(accessor="figures__aum", verbose_name=_("AUM"))
    avg_daily_assets_month = tables.Column(
        accessor="figures__avg_daily_assets_month", verbose_name=_("average daily assets (month)")
    )
    required_columns = ("cif",)

    @classmethod
    def fields_read(cls) -> tuple[str, ...]:
        """The fields behind the columns: the list views' rows query reads only these (with every
        column of the customer, its owner, org and figures it took longer to compile and plan than
        to run). Django adds the keys the joins need; a column whose render reads another field of
        the record must name it here, or the query-count test of the lists fails (a query a row)."""
        return tuple(str(column.accessor or name) for name, column in cls.base_columns.items())

    @cached_property
    def today(self):
        return timezone.localdate()

    class Meta(StewardTable.Meta):
        model = Customer
        fields = (
            "cif",
            "name",
            "gender",
            "age",
            "mobile",
            "risk_level",
            "tier",
            "aum",
            "avg_daily_assets_month",
            "owner",
            "org",
            "status",
        )
        order_by = ("-aum",)

    def order_aum(self, queryset, is_descending):
        """AUM order with customers without figures last in both directions (SQLite and PostgreSQL
        would otherwise disagree on where NULL goes), ties by customer id; as big lists read it down
        the AUM index (steward.customers.listing)."""
        aum = F("figures__aum")
        if is_descending:
            return queryset.order_by(aum.desc(nulls_last=True), "-pk"), True
        return queryset.order_by(aum.asc(nulls_last=True), "pk"), True

    def render_age(self, value):
        return age_on(value, self.today) if value else "—"

    def value_age(self, value):
        return age_on(value, self.today) if value else ""
