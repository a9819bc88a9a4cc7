import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

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
        return _hidden_label(record) or value

    def value_object_repr(self, value, record):
        return _hidden_label(record) or value

    def render_object_type(self, value):
        return object_type_label(value)

    def render_affected(self, value):
        return len(value) if value else "—"

    def value_affected(self, value):
        return len(value) if value else ""


def object_type_label(label: str) -> str:
    """ "org.employee" → the model's name in the reader's language ("员工"); unknown labels as they are."""
    from django.apps import apps

    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


def _hidden_label(record) -> str:
    if not getattr(record, "identity_hidden", False):
        return ""
    from steward.audit.visibility import DEFAULT_LABEL, hiding_models

    model = hiding_models().get(record.object_type)
    return str(getattr(model, "audit_hidden_label", None) or DEFAULT_LABEL)
