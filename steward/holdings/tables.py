import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from steward.core.tables import CodeLabelColumn, LocalDateTimeColumn, StewardTable
from steward.holdings.models import Account, IntakeBatch, IntakeRejectedRow, Product, Reminder, Transaction


class ProductTable(StewardTable):
    risk_level = CodeLabelColumn("risk_level", verbose_name=_("risk level"))

    class Meta(StewardTable.Meta):
        model = Product
        fields = ("code", "name", "category", "risk_level", "currency", "term_days", "maturity_date", "is_liability")
        order_by = ("code",)


class AccountTable(StewardTable):
    balance = tables.Column(verbose_name=_("balance"), default="—")  # annotated: the latest day's balance

    class Meta(StewardTable.Meta):
        model = Account
        fields = ("number", "product", "product__category", "balance", "opened_on", "closed_on")
        order_by = ("-balance",)


class TransactionTable(StewardTable):
    booked_at = LocalDateTimeColumn(verbose_name=_("booked at"))

    class Meta(StewardTable.Meta):
        model = Transaction
        fields = ("booked_at", "account", "direction", "amount", "channel", "description")
        order_by = ("-booked_at",)


class ReminderTable(StewardTable):
    customer = tables.Column(linkify=True, verbose_name=_("customer"))

    class Meta(StewardTable.Meta):
        model = Reminder
        fields = ("due_on", "kind", "customer", "amount", "text", "data_date")
        order_by = ("due_on",)

    def render_text(self, value, record):
        if record.kind == Reminder.Kind.LARGE_TRANSACTION:
            return _("Money in") if value == "C" else _("Money out")
        return value or "—"


class IntakeBatchTable(StewardTable):
    entity = tables.Column(verbose_name=_("entity"))
    finished_at = LocalDateTimeColumn(verbose_name=_("finished at"))

    class Meta(StewardTable.Meta):
        model = IntakeBatch
        fields = (
            "data_date",
            "source",
            "entity",
            "status",
            "file_name",
            "rows_read",
            "rows_loaded",
            "rows_rejected",
            "runs",
            "finished_at",
        )
        order_by = ("-data_date",)

    def render_entity(self, value, record):
        return format_html('<a href="{}">{}</a>', reverse("holdings:batch_detail", args=[record.pk]), value)

    def value_entity(self, value, record):
        return value


class RejectedRowTable(StewardTable):
    class Meta(StewardTable.Meta):
        model = IntakeRejectedRow
        fields = ("line", "reason", "raw")
        order_by = ("line",)
