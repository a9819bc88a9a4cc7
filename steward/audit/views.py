from django.utils.translation import gettext_lazy

from steward.audit.filters import AuditEntryFilterSet
from steward.audit.labels import action_label, field_label, object_type_label, source_label
from steward.audit.models import AuditEntry
from steward.audit.tables import AuditEntryTable, object_text
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
        # Fields by their names in the reader's language, not the model's attribute names (PLT-12).
        rows = [
            (field_label(obj.object_type, field), display_value(values[0]), display_value(values[1]))
            for field, values in sorted(visibility.changes(obj).items())
            if isinstance(values, (list, tuple)) and len(values) == 2
        ]
        shown_repr = visibility.object_repr(obj)
        return {
            "change_rows": rows,
            "title": f"#{obj.seq} {action_label(obj.action)}",
            "action_label": action_label(obj.action),
            "source_label": source_label(obj.source),
            "shown_repr": object_text(obj, shown_repr) if shown_repr == obj.object_repr else shown_repr,
            "shown_message": visibility.message(obj),
            "shown_ids": visibility.ids(obj),
            "object_type_label": object_type_label(obj.object_type) if obj.object_type else "",
        }
