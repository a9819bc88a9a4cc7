import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from steward.core.api import ScopedModelViewSet
from steward.notices import services
from steward.notices.api.serializers import (
    MyNoticeSerializer,
    NoticeSerializer,
    NotificationReadSerializer,
    NotificationSerializer,
    UnreadCountSerializer,
)
from steward.notices.filters import NoticeFilterSet
from steward.notices.models import Notice

EDITABLE = ("title", "body", "level", "audience", "valid_from", "valid_until")


class NoticeViewSet(ScopedModelViewSet):
    """Administrators' CRUD on system notices in their data scope; writes call the notice services."""

    queryset = Notice.objects.all()
    serializer_class = NoticeSerializer
    permission_base = "notices.notice"
    filterset_class = NoticeFilterSet
    ordering_fields = ["valid_from", "title"]
    select_related = ("author", "org")

    def get_queryset(self):
        return super().get_queryset().prefetch_related("orgs", "roles")

    def _fields(self, serializer, instance=None) -> dict:
        data = dict(serializer.validated_data)
        values = {name: data.get(name, getattr(instance, name, None)) for name in EDITABLE}
        values["orgs"] = data.get("orgs", list(instance.orgs.all()) if instance else [])
        values["roles"] = data.get("roles", list(instance.roles.all()) if instance else [])
        if values["level"] is None:
            values["level"] = Notice.Level.INFO
        if values["audience"] is None:
            values["audience"] = Notice.Audience.ALL
        return values

    def perform_create(self, serializer):
        serializer.instance = services.save_notice(self.request.user, None, **self._fields(serializer))

    def perform_update(self, serializer):
        instance = serializer.instance
        serializer.instance = services.save_notice(self.request.user, instance, **self._fields(serializer, instance))

    def perform_destroy(self, instance):
        services.delete_notice(self.request.user, instance)

    @extend_schema(request=None, responses=NoticeSerializer)
    @action(detail=True, methods=["post"], required_permission="notices.notice:change")
    def publish(self, request, pk=None):
        notice = services.publish_notice(request.user, self.get_object(), timezone.now())
        return Response(NoticeSerializer(notice).data)

    @extend_schema(request=None, responses=NoticeSerializer)
    @action(detail=True, methods=["post"], required_permission="notices.notice:change")
    def unpublish(self, request, pk=None):
        notice = services.unpublish_notice(request.user, self.get_object(), timezone.now())
        return Response(NoticeSerializer(notice).data)


class MyNoticeFilterSet(django_filters.FilterSet):
    state = django_filters.ChoiceFilter(
        choices=[("unread", _("Unread")), ("read", _("Read"))], method="by_state", label=_("state")
    )

    class Meta:
        model = Notice
        fields = ["state"]

    def by_state(self, queryset, name, value):
        return queryset.filter(is_read=(value == "read"))


class MyNoticeViewSet(viewsets.ReadOnlyModelViewSet):
    """The current notices addressed to me (any signed-in member of staff), and marking them read.

    The audience is the rule: a notice not addressed to the caller is a 404 here.
    """

    queryset = Notice.objects.none()  # for the schema; get_queryset() answers per caller
    serializer_class = MyNoticeSerializer
    filterset_class = MyNoticeFilterSet
    ordering_fields = ["valid_from", "title"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Notice.objects.none()
        now = timezone.now()
        user = self.request.user
        if self.action == "list":
            return services.current_notices_for(user, now)
        return services.notices_for(user, now)

    @extend_schema(request=None, responses=MyNoticeSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notice = self.get_object()
        services.mark_read(request.user, notice, timezone.now())
        return Response(MyNoticeSerializer(self.get_queryset().get(pk=notice.pk)).data)

    @extend_schema(request=None, responses=UnreadCountSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        services.mark_all_read(request.user, timezone.now())
        return Response({"unread": services.unread_count(request.user, timezone.now())})

    @extend_schema(responses=UnreadCountSerializer)
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request):
        return Response({"unread": services.unread_count(request.user, timezone.now())})

    @extend_schema(
        parameters=[OpenApiParameter("state", str, enum=["unread", "read"], required=False)],
        responses=NotificationSerializer(many=True),
    )
    @action(detail=False, methods=["get"], url_path="notifications", filterset_class=None, pagination_class=None)
    def notifications(self, request):
        """My personal notifications (PLT-10), newest first, at most 100; ?state=unread|read."""
        rows = services.notifications_for(request.user)
        state = request.query_params.get("state")
        if state in ("unread", "read"):
            rows = rows.filter(read_at__isnull=state == "unread")
        return Response(NotificationSerializer(rows[:100], many=True).data)

    @extend_schema(request=NotificationReadSerializer, responses=NotificationSerializer)
    @action(detail=False, methods=["post"], url_path="notifications/read", filterset_class=None)
    def read_notification(self, request):
        """Mark one of my notifications read: {"id": <notification id>} (someone else's: 404)."""
        serializer = NotificationReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        notification = services.open_notification(request.user, serializer.validated_data["id"], timezone.now())
        return Response(NotificationSerializer(notification).data)
