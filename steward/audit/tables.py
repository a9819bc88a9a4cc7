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

    def render_affected(self, value):
        return len(value) if value else "—"

    def value_affected(self, value):
        return len(value) if value else ""
