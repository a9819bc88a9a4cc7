from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action

from steward.access.services import has_permission
from steward.core.api import ReadOnlyScopedViewSet
from steward.imports import services
from steward.imports.api.serializers import ImportRejectionSerializer, ImportRunSerializer
from steward.imports.models import ImportRun

READ_ACTIONS = (None, "list", "retrieve", "rejected_rows", "metadata")


class ImportRunViewSet(ReadOnlyScopedViewSet):
    """Import runs (CUS-13) the caller may see, exactly as on the /imports/<id>/ pages: per kind of
    import, those its permission's data scope reaches (the requester's own, a manager's subtree …).
    GET …/{id}/rejected-rows/ lists a run's refused rows (line, column, reason), in line order.
    Imports are started from their pages (e.g. /customers/import/); this API only reads."""

    queryset = ImportRun.objects.all()
    serializer_class = ImportRunSerializer
    filterset_fields = ["kind", "mode", "status"]
    ordering_fields = ["created_at", "finished_at"]

    def required_permission_for(self, request):
        action_name = getattr(self, "action", None)
        if action_name not in READ_ACTIONS:
            return f"imports.run:{action_name}"  # registered by nobody: not served (405)
        # Runs are seen with the permission of their kind: any importer's permission lets the caller
        # in, and get_queryset then keeps each kind to that permission's scope.
        needed = [importer.permission for importer in services.importers.values()]
        held = [name for name in needed if has_permission(request.user, name)]
        return (held or needed or ["imports.run:view"])[0]

    def get_queryset(self):
        return (
            services.runs_visible_to(self.request.user)
            .select_related("requested_by")
            .order_by(*ImportRun._meta.ordering)
        )

    @extend_schema(responses=ImportRejectionSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="rejected-rows")
    def rejected_rows(self, request, pk=None):
        run = self.get_object()
        page = self.paginate_queryset(run.rejections.order_by("line", "pk"))
        return self.get_paginated_response(ImportRejectionSerializer(page, many=True).data)
