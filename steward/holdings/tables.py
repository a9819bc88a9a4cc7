import django_tables2 as tables
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from steward.core.tables import CodeLabelColumn, LocalDateTimeColumn, StewardTable
from steward.holdings.defaults import TRANSACTION_CHANNELS
from steward.holdings.models import (
    Account,
    ImportantDate,
    IntakeBatch,
    IntakeRejectedRow,
    Product,
    Reminder,
    Transaction,
)
from steward.holdings.reasons import shown_reason


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
    # The source system's channel code (counter, mobile …) by its label (PLT-12).
    channel = CodeLabelColumn(TRANSACTION_CHANNELS.code, verbose_name=_("channel"), default="—")

    class Meta(StewardTable.Meta):
        model = Transaction
        fields = ("booked_at", "account", "direction", "amount", "channel", "description")
        order_by = ("-booked_at",)


class ReminderTable(StewardTable):
    """The reminder centre (SVC-03): each reminder with its state as read today and, for users who
    may act, its buttons (done, dismiss, snooze, open again)."""

    due_on = tables.Column(verbose_name=_("date"), linkify=lambda record: record.get_absolute_url())
    customer = tables.Column(linkify=True, verbose_name=_("customer"))
    state = tables.Column(verbose_name=_("state"))
    acted_by = tables.Column(verbose_name=_("handled by"), default="—")
    actions = tables.Column(empty_values=(), orderable=False, verbose_name="", exclude_from_export=True)
    required_columns = ("actions",)

    class Meta(StewardTable.Meta):
        model = Reminder
        fields = ("due_on", "kind", "customer", "amount", "text", "state", "acted_by", "data_date")
        order_by = ("due_on",)
        row_attrs = {"data-reminder": lambda record: record.pk}

    # Set by the view: whether the reader may act, the list's URL to come back to.
    can_act = False
    next_url = ""

    @property
    def today(self):
        if not hasattr(self, "_today"):
            self._today = timezone.localdate()
        return self._today

    def render_text(self, value, record):
        return record.shown_text or "—"

    def value_text(self, value, record):
        return record.shown_text

    def render_state(self, value, record):
        state = record.state_on(self.today)
        css = {"open": "bg-blue-lt", "done": "bg-green-lt", "dismissed": "bg-secondary-lt", "snoozed": "bg-yellow-lt"}
        return format_html(
            '<span class="badge {}" data-testid="reminder-state">{}</span>',
            css.get(state, ""),
            record.shown_state(self.today),
        )

    def value_state(self, value, record):
        return record.shown_state(self.today)

    def render_acted_by(self, value, record):
        when = timezone.localtime(record.acted_at).strftime("%Y-%m-%d %H:%M") if record.acted_at else ""
        return format_html('{} <span class="text-secondary small">{}</span>', value.name, when)

    def value_acted_by(self, value, record):
        return value.name if value else ""

    def render_actions(self, record):
        if not self.can_act:
            return ""
        return render_to_string(
            "holdings/_reminder_actions.html",
            {"reminder": record, "state": record.state_on(self.today), "next": self.next_url, "compact": True},
            request=getattr(self, "request", None),
        )


class ImportantDateTable(StewardTable):
    date = tables.Column(verbose_name=_("date"), linkify=lambda record: record.get_absolute_url())
    customer = tables.Column(linkify=True, verbose_name=_("customer"))
    yearly = tables.BooleanColumn(verbose_name=_("every year"))
    next_occurrence = tables.Column(verbose_name=_("next"), empty_values=(), orderable=False)

    class Meta(StewardTable.Meta):
        model = ImportantDate
        fields = ("date", "label", "yearly", "next_occurrence", "customer", "created_by")
        order_by = ("date",)

    def render_next_occurrence(self, record):
        occurrence = record.next_on_or_after(timezone.localdate())
        return occurrence.isoformat() if occurrence else "—"

    def value_next_occurrence(self, record):
        occurrence = record.next_on_or_after(timezone.localdate())
        return occurrence.isoformat() if occurrence else ""


class IntakeBatchTable(StewardTable):
    entity = tables.Column(verbose_name=_("entity"))
    error = tables.Column(verbose_name=_("reason"), orderable=False, default="")
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
            "error",
            "runs",
            "finished_at",
        )
        order_by = ("-data_date",)
        row_attrs = {"data-status": lambda record: record.status}

    def render_source(self, value, record):
        return record.source_label

    def value_source(self, value, record):
        return record.source_label

    def render_entity(self, value, record):
        return format_html(
            '<a href="{}">{}</a>', reverse("holdings:batch_detail", args=[record.pk]), record.entity_label
        )

    def value_entity(self, value, record):
        return record.entity_label

    def render_rows_rejected(self, value, record):
        if not value:
            return "0"
        url = reverse("holdings:batch_detail", args=[record.pk])
        return format_html('<a href="{}" class="text-danger">{}</a>', url, intcomma(value))

    def render_error(self, value, record):
        # Refused, failed or held: why, in the reader's language (stored as source text).
        # One line in the table (the full reason on hover, on the file's page and above the table).
        reason = shown_reason(value)
        return format_html(
            '<span class="text-danger small d-inline-block text-truncate" style="max-width: 24rem" title="{}">{}</span>',
            reason,
            reason,
        )

    def value_error(self, value, record):
        return shown_reason(value)


class RejectedRowTable(StewardTable):
    """A file's quarantined rows: the physical line of the file, why, and the row as it came
    (personal data masked when it was stored)."""

    line = tables.Column(verbose_name=_("line"))
    raw = tables.Column(verbose_name=_("raw row (masked)"), orderable=False)

    class Meta(StewardTable.Meta):
        model = IntakeRejectedRow
        fields = ("line", "reason", "raw")
        order_by = ("line",)

    def render_line(self, value):
        return format_html('<span data-testid="rejected-line">{}</span>', value)

    def render_reason(self, value):
        return shown_reason(value)

    def value_reason(self, value):
        return shown_reason(value)

    def value_line(self, value):
        return value

    def render_raw(self, value):
        return format_html('<code class="small text-wrap text-break">{}</code>', value)


class AllRejectedRowTable(RejectedRowTable):
    """Rejected rows across files: each names its file (source, entity, data date)."""

    batch = tables.Column(verbose_name=_("file"), order_by=("batch__data_date", "batch__entity"))

    class Meta(RejectedRowTable.Meta):
        fields = ("batch", "line", "reason", "raw")
        sequence = ("batch", "line", "reason", "raw")
        order_by = ("-batch__data_date", "batch__entity", "line")

    def render_batch(self, value, record):
        return format_html('<a href="{}">{}</a>', reverse("holdings:batch_detail", args=[record.batch_id]), value.label)

    def value_batch(self, value, record):
        return value.label
