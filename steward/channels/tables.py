import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from steward.channels.models import OutboundMessage
from steward.core.tables import LocalDateTimeColumn, StewardTable
from steward.privacy.masking import mask
from steward.privacy.tables import reveal_button

STATUS_COLOURS = {
    "queued": "secondary",
    "held": "yellow",
    "sending": "blue",
    "sent": "azure",
    "delivered": "green",
    "failed": "red",
    "refused": "orange",
    "cancelled": "secondary",
}
PII_KINDS = {"mobile": "mobile", "email": "email"}


def status_badge(status: str, label) -> str:
    return format_html(
        '<span class="badge bg-{}-lt" data-status="{}">{}</span>',
        STATUS_COLOURS.get(status, "secondary"),
        status,
        label,
    )


def masked_address(message: OutboundMessage, request=None, can_unmask: bool = False) -> str:
    """The address for the message's channel, masked; with a reveal button for those who may."""
    field = message.address_field
    value = getattr(message, field) or ""
    if not value:
        return "—"
    kind = PII_KINDS.get(field)
    if kind is None:  # an app user is a customer or employee number, not personal data
        return value
    masked = mask(kind, value)
    return reveal_button(message, field, masked) if can_unmask else masked


class RecipientColumn(tables.Column):
    def render(self, value, record):
        recipient = record.customer if record.customer_id else record.employee
        if recipient is None:
            return "—"
        number = recipient.cif if record.customer_id else recipient.employee_no
        return format_html('{} <span class="text-secondary small">{}</span>', recipient.name, number)

    def value(self, value, record):
        recipient = record.customer if record.customer_id else record.employee
        if recipient is None:
            return ""
        return f"{recipient.name} ({recipient.cif if record.customer_id else recipient.employee_no})"


class AddressColumn(tables.Column):
    """Masked for everyone (exports too); the reveal button for holders of the unmask permission."""

    def render(self, value, record, table):
        from steward.privacy.services import can_unmask

        request = getattr(table, "request", None)
        allowed = getattr(table, "_can_unmask", None)
        if allowed is None:
            allowed = table._can_unmask = bool(request is not None and can_unmask(request.user))
        return masked_address(record, request, allowed)

    def value(self, value, record):
        field = record.address_field
        kind = PII_KINDS.get(field)
        plain = getattr(record, field) or ""
        return mask(kind, plain) if kind else plain


class OutboxTable(StewardTable):
    """The outbox: one row per message, newest first."""

    id = tables.Column(linkify=True, verbose_name=pgettext_lazy("outbound message", "message"))
    queued_at = LocalDateTimeColumn(verbose_name=_("queued at"))
    channel = tables.Column(verbose_name=_("channel"))
    purpose = tables.Column(verbose_name=_("purpose"))
    recipient = RecipientColumn(accessor="pk", verbose_name=_("recipient"), orderable=False)
    address = AddressColumn(accessor="pk", verbose_name=_("address"), orderable=False)
    body = tables.Column(verbose_name=_("text"), orderable=False)
    status = tables.Column(verbose_name=_("status"))
    reason = tables.Column(verbose_name=_("reason"), orderable=False)
    attempts = tables.Column(verbose_name=_("attempts"))
    batch = tables.Column(accessor="batch__name", verbose_name=_("batch"), order_by=("batch__name",), default="—")
    required_columns = ("id",)

    class Meta(StewardTable.Meta):
        model = OutboundMessage
        fields = ()
        sequence = (
            "id",
            "queued_at",
            "channel",
            "purpose",
            "recipient",
            "address",
            "body",
            "status",
            "reason",
            "attempts",
            "batch",
        )
        row_attrs = {"data-status": lambda record: record.status}

    def render_id(self, value, record):
        return format_html('<a href="{}">#{}</a>', record.get_absolute_url(), value)

    def value_id(self, value, record):
        return value

    def render_body(self, value, record):
        text = value if len(value) <= 40 else value[:40] + "…"
        return text

    def render_status(self, value, record):
        return status_badge(record.status, record.get_status_display())

    def value_status(self, value, record):
        return record.get_status_display()

    def render_reason(self, value, record):
        return record.reason_text or "—"

    def value_reason(self, value, record):
        return record.reason_text
