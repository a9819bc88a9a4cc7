from steward.audit.api.serializers import AuditEntrySerializer
from steward.audit.filters import AuditEntryFilterSet
from steward.audit.models import AuditEntry
from steward.audit.visibility import Visibility
from steward.core.api import ReadOnlyScopedViewSet


class AuditEntryViewSet(ReadOnlyScopedViewSet):
    """The audit trail, read-only (`audit.entry:view`, the reader's data scope): the page's filters
    (`?q=`, `actor`, `action`, `object_type`, `object_id`, `since`, `until`)."""

    queryset = AuditEntry.objects.all()
    serializer_class = AuditEntrySerializer
    permission_base = "audit.entry"
    filterset_class = AuditEntryFilterSet

    def required_permission_for(self, request) -> str:
        # Read-only: any other method is answered 405 once the reader's permission is checked.
        return "audit.entry:view"

    def get_queryset(self):
        return Visibility(self.request.user).annotate(super().get_queryset())

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        entries = args[0] if args else None
        if entries is not None and "data" not in kwargs:
            visibility = Visibility(self.request.user)
            visibility.prefetch(entries if isinstance(entries, (list, tuple)) else [entries])
            serializer.context["audit_visibility"] = visibility
            if hasattr(serializer, "child"):
                serializer.child.context["audit_visibility"] = visibility
        return serializer
