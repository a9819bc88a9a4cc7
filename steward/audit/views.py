from django.utils.translation import gettext_lazy

from steward.audit.filters import AuditEntryFilterSet
from steward.audit.models import AuditEntry
from steward.audit.tables import AuditEntryTable
from steward.core.views import ObjectDetailView, ObjectListView


class AuditEntryListView(ObjectListView):
    """Auditors search the trail by actor, object, action and time, and export what they find."""

    model = AuditEntry
    permission = "audit.entry:view"
    table_class = AuditEntryTable
    filterset_class = AuditEntryFilterSet
    title = gettext_lazy("Audit trail")
    export_permission = "audit.entry:export"
    default_page_size = 50


class AuditEntryDetailView(ObjectDetailView):
    model = AuditEntry
    permission = "audit.entry:view"
    template_name = "audit/entry_detail.html"

    def extra_context(self, request, obj):
        rows = [
            (field, values[0], values[1])
            for field, values in sorted((obj.changes or {}).items())
            if isinstance(values, (list, tuple)) and len(values) == 2
        ]
        return {"change_rows": rows, "title": f"#{obj.seq} {obj.action}"}
