from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.response import Response

from steward.agenda import services
from steward.agenda.api.serializers import CalendarEntrySerializer, CalendarNoteSerializer
from steward.agenda.models import CalendarNote
from steward.agenda.permissions import CALENDAR_VIEW, NOTE_CHANGE
from steward.core.api import ScopedModelViewSet


class CalendarNoteViewSet(ScopedModelViewSet):
    """My own calendar notes (SVC-04): GET, POST, PUT/PATCH, DELETE. Private: another user's note is
    a 404 whatever their role."""

    queryset = CalendarNote.objects.all()
    serializer_class = CalendarNoteSerializer
    permission_base = "agenda.note"
    select_related = ("customer",)
    ordering_fields = ["starts_at"]

    def required_permission_for(self, request):
        # Writing, changing and deleting my notes are one permission.
        if getattr(self, "action", None) in ("create", "update", "partial_update", "destroy"):
            return NOTE_CHANGE
        return super().required_permission_for(request)

    def _save(self, note, data):
        for name, value in data.items():
            setattr(note, name, value)
        return services.save_note(self.request.user, note)

    def perform_create(self, serializer):
        serializer.instance = self._save(CalendarNote(), serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = self._save(serializer.instance, serializer.validated_data)

    def perform_destroy(self, instance):
        services.delete_note(self.request.user, instance)


class CalendarEntryViewSet(viewsets.ViewSet):
    """GET calendar-entries/?start=&end=[&types=a,b]: my calendar's entries in a range of at most
    100 days, from every calendar source my roles show (reminders by kind, my notes …)."""

    serializer_class = CalendarEntrySerializer

    def required_permission_for(self, request):
        return CALENDAR_VIEW

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "start",
                str,
                required=False,
                description="YYYY-MM-DD or an ISO date and time; without start and end: this month",
            ),
            OpenApiParameter("end", str, required=False, description="exclusive; at most 100 days after start"),
            OpenApiParameter("types", str, description="entry types, comma-separated (default: all)"),
        ],
        responses=CalendarEntrySerializer(many=True),
    )
    def list(self, request):
        start, end = services.calendar_range(request.query_params.get("start", ""), request.query_params.get("end", ""))
        types = services.parse_types(request.query_params.getlist("types") if "types" in request.query_params else None)
        found = services.calendar_entries(request.user, start, end, types)
        return Response(services.entries_api(found))
