import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from steward.audit.labels import action_label, object_type_label, source_label
from steward.audit.models import AuditEntry
from steward.core.tables import LocalDateTimeColumn, StewardTable


class AuditEntryTable(StewardTable):
    seq = tables.Column(linkify=True, verbose_name=_("No."))
    timestamp = LocalDateTimeColumn(verbose_name=_("time"), fmt="Y-m-d H:i:s")
    affected = tables.Column(verbose_name=_("records"), accessor="ids", orderable=False)
    required_columns = ("seq",)

    class Meta(StewardTable.Meta):
        model = AuditEntry
        fields = (
            "seq",
            "timestamp",
            "actor_repr",
            "action",
            "object_type",
            "object_repr",
            "affected",
            "ip_address",
            "source",
            "request_id",
        )
        order_by = ("-seq",)

    # Rows come annotated with `identity_hidden` (AuditEntryListView.table_queryset).
    def render_object_repr(self, value, record):
        return _hidden_label(record) or object_text(record, value)

    def value_object_repr(self, value, record):
        return _hidden_label(record) or object_text(record, value)

    # Codes are stored; the page and the export show labels in the reader's language (PLT-12).
    def render_action(self, value):
        return action_label(value)

    def value_action(self, value):
        return action_label(value)

    def render_object_type(self, value):
        return object_type_label(value)

    def value_object_type(self, value):
        return object_type_label(value)

    def render_source(self, value):
        return source_label(value)

    def value_source(self, value):
        return source_label(value)

    def render_affected(self, value):
        return len(value) if value else "—"

    def value_affected(self, value):
        return len(value) if value else ""


def object_text(record, stored: str) -> str:
    """A bulk entry's object text ("25 × 客户") in the reader's language, not the writer's."""
    if record.ids and record.object_type and not record.object_id:
        return f"{len(record.ids)} × {object_type_label(record.object_type)}"
    return stored


def _hidden_label(record) -> str:
    if not getattr(record, "identity_hidden", False):
        return ""
    from steward.audit.visibility import DEFAULT_LABEL, hiding_models

    model = hiding_models().get(record.object_type)
    return str(getattr(model, "audit_hidden_label", None) or DEFAULT_LABEL)
