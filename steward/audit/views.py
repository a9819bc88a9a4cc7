from django.utils.translation import gettext_lazy

from steward.audit.filters import AuditEntryFilterSet
from steward.audit.models import AuditEntry
from steward.audit.tables import AuditEntryTable, object_type_label
from steward.audit.visibility import Visibility, display_value
from steward.core.views import ObjectDetailView, ObjectListView


class AuditEntryListView(ObjectListView):
    """Auditors search the trail by actor, object, action and time, and export what they find.

    Entries about records whose identity the reader may not see (confidential customers without
    a grant) show a placeholder in the page and the export (steward/audit/visibility.py)."""

    model = AuditEntry
    permission = "audit.entry:view"
    table_class = AuditEntryTable
    filterset_class = AuditEntryFilterSet
    title = gettext_lazy("Audit trail")
    export_permission = "audit.entry:export"
    default_page_size = 50

    def table_queryset(self, queryset):
        return Visibility(self.request.user).annotate(queryset)


class AuditEntryDetailView(ObjectDetailView):
    model = AuditEntry
    permission = "audit.entry:view"
    template_name = "audit/entry_detail.html"

    def extra_context(self, request, obj):
        visibility = Visibility(request.user)
        rows = [
            (field, display_value(values[0]), display_value(values[1]))
            for field, values in sorted(visibility.changes(obj).items())
            if isinstance(values, (list, tuple)) and len(values) == 2
        ]
        return {
            "change_rows": rows,
            "title": f"#{obj.seq} {obj.action}",
            "shown_repr": visibility.object_repr(obj),
            "shown_message": visibility.message(obj),
            "shown_ids": visibility.ids(obj),
            "object_type_label": object_type_label(obj.object_type) if obj.object_type else "",
        }
