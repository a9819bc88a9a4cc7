from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from steward.core.api import ScopedModelViewSet
from steward.customers.api.serializers import CustomerSerializer
from steward.segments import services
from steward.segments.api.serializers import CountSerializer, DefinitionSerializer, SegmentSerializer
from steward.segments.models import Segment
from steward.segments.permissions import CHANGE, VIEW


class SegmentViewSet(ScopedModelViewSet):
    """Saved customer segments in the caller's scope. Member counts and lists are always
    re-filtered through the caller's own customer visibility; POST /count/ counts a definition."""

    queryset = Segment.objects.all()
    serializer_class = SegmentSerializer
    permission_base = "segments.segment"
    select_related = ("owner",)
    ordering_fields = ["name", "updated_at"]

    def required_permission_for(self, request):
        # Deleting a segment is an edit of one's saved filters: segments.segment:change.
        if getattr(self, "action", None) == "destroy":
            return CHANGE
        return super().required_permission_for(request)

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.create_segment(
            self.request.user,
            name=data["name"],
            definition=data["definition"],
            kind=data.get("kind", Segment.Kind.DYNAMIC),
            description=data.get("description", ""),
            now=timezone.now(),
        )

    def perform_update(self, serializer):
        segment = serializer.instance
        data = serializer.validated_data
        serializer.instance = services.update_segment(
            self.request.user,
            segment,
            name=data.get("name", segment.name),
            definition=data.get("definition", segment.definition),
            description=data.get("description", segment.description),
            now=timezone.now(),
        )

    def perform_destroy(self, instance):
        services.delete_segment(self.request.user, instance, now=timezone.now())

    @extend_schema(responses=CountSerializer)
    @action(detail=True, methods=["get"], url_path="count", required_permission=VIEW)
    def member_count(self, request, pk=None):
        """How many of the segment's members the caller may see now."""
        segment = self.get_object()
        return Response({"count": services.members(request.user, segment, timezone.localdate()).count()})

    @extend_schema(responses=CustomerSerializer(many=True))
    @action(detail=True, methods=["get"], required_permission=VIEW)
    def members(self, request, pk=None):
        """The segment's members the caller may see now (paginated, personal data masked)."""
        segment = self.get_object()
        queryset = services.members(request.user, segment, timezone.localdate()).select_related("owner", "org")
        page = self.paginate_queryset(queryset.order_by("cif"))
        serializer = CustomerSerializer(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(serializer.data)

    @extend_schema(request=DefinitionSerializer, responses=CountSerializer)
    @action(detail=False, methods=["post"], url_path="count", required_permission=VIEW)
    def live_count(self, request):
        """The live count of the customers a definition selects within the caller's visibility."""
        serializer = DefinitionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response(
            {"count": services.count(request.user, serializer.validated_data["definition"], timezone.localdate())}
        )
