import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from steward.core.tables import LocalDateTimeColumn, StewardTable
from steward.interactions.models import CallRecord, Interaction


class InteractionTable(StewardTable):
    """The contact list: when, with whom, how, the result and who made it."""

    occurred_at = LocalDateTimeColumn(verbose_name=_("occurred at"), linkify=True)
    customer_number = tables.Column(
        verbose_name=_("customer number"), accessor="customer__cif", order_by=("customer__cif",), default="—"
    )
    customer = tables.Column(
        verbose_name=_("customer"), accessor="customer__name", order_by=("customer__name",), default="—"
    )
    employee = tables.Column(
        verbose_name=_("employee"), accessor="employee__name", order_by=("employee__name",), default="—"
    )
    is_contact = tables.BooleanColumn(verbose_name=_("contact"))
    duration_seconds = tables.Column(verbose_name=_("duration"), default="")
    summary = tables.Column(verbose_name=_("summary"), orderable=False)
    required_columns = ("occurred_at",)

    class Meta(StewardTable.Meta):
        model = Interaction
        fields = (
            "occurred_at",
            "customer_number",
            "customer",
            "channel",
            "direction",
            "outcome",
            "is_contact",
            "duration_seconds",
            "summary",
            "next_step",
            "employee",
            "source",
        )
        sequence = fields

    def render_customer(self, value, record):
        return format_html('<a href="{}">{}</a>', record.customer.get_absolute_url(), value)

    def value_customer(self, value, record):
        return value

    def render_duration_seconds(self, value):
        minutes, seconds = divmod(int(value), 60)
        return f"{minutes}:{seconds:02d}"

    def value_duration_seconds(self, value):
        return value

    def render_direction(self, value, record):
        return _("outbound") if record.direction == Interaction.Direction.OUTBOUND else _("inbound")

    def value_direction(self, value, record):
        return record.get_direction_display()

    def render_summary(self, value):
        return value if len(value) <= 80 else value[:79] + "…"

    def value_summary(self, value):
        return value


class CallTable(StewardTable):
    """The call centre's calls (SVC-05): when, the masked number, who took it, how it was matched."""

    started_at = LocalDateTimeColumn(verbose_name=_("started at"))
    number_masked = tables.Column(verbose_name=_("number"), orderable=False)
    customer = tables.Column(
        verbose_name=_("customer"), accessor="customer__name", order_by=("customer__name",), default="—"
    )
    employee = tables.Column(
        verbose_name=_("employee"), accessor="employee__name", order_by=("employee__name",), default="—"
    )
    duration_seconds = tables.Column(verbose_name=_("duration"), default="")
    required_columns = ("started_at",)

    class Meta(StewardTable.Meta):
        model = CallRecord
        fields = (
            "started_at",
            "call_id",
            "direction",
            "outcome",
            "duration_seconds",
            "number_masked",
            "extension",
            "employee_no",
            "customer",
            "employee",
            "status",
            "reason",
            "source",
            "data_date",
        )
        sequence = fields

    def render_customer(self, value, record):
        return format_html('<a href="{}">{}</a>', record.customer.get_absolute_url(), value)

    def value_customer(self, value, record):
        return value
