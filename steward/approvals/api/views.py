"""/api/v1/applications/: the same services and visibility as the pages — PLT-09, PLT-11."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from steward.access.services import has_permission
from steward.approvals import services
from steward.approvals.api.serializers import (
    ApplicationSerializer,
    ApplicationTypeSerializer,
    DecideSerializer,
    ForwardSerializer,
    SubmitSerializer,
    WithdrawSerializer,
)
from steward.approvals.filters import ApplicationFilterSet
from steward.approvals.models import Application
from steward.approvals.permissions import HANDLE, PARTICIPANT_PERMISSIONS, REROUTE, SUBMIT
from steward.approvals.registry import application_types
from steward.core.api import ScopedModelViewSet
from steward.core.parsers import BoundedJSONParser


class ApplicationApiFilterSet(ApplicationFilterSet):
    box = django_filters.ChoiceFilter(
        choices=[("mine", _("My applications")), ("inbox", _("To approve")), ("monitor", _("Application monitor"))],
        method="in_box",
        label=_("list"),
    )

    class Meta(ApplicationFilterSet.Meta):
        fields = [*ApplicationFilterSet.Meta.fields, "box"]

    def in_box(self, queryset, name, value):
        user = self.request.user
        if value == "mine":
            return queryset.filter(submitter_id=user.pk)
        if value == "inbox":
            return queryset.filter(pk__in=services.waiting_for(user).values("pk"))
        return queryset.filter(pk__in=services.monitored(user).values("pk"))


def payload_fields(application_type):
    form = application_type.form_class()
    rows = []
    for name, field in form.fields.items():
        row = {
            "name": name,
            "label": str(field.label or name),
            "required": field.required,
            "kind": type(field).__name__,
        }
        if hasattr(field, "choices"):
            row["choices"] = [[str(value), str(label)] for value, label in field.choices if value != ""]
        rows.append(row)
    return rows


class ApplicationViewSet(ScopedModelViewSet):
    """Applications the caller takes part in (submitted, to decide, decided) plus the monitor's scope.

    `?box=mine|inbox|monitor` narrows the list. Submitting is `POST /applications/`;
    decisions are `POST …/{id}/approve/`, `reject/`, `forward/`, `withdraw/`.
    """

    queryset = Application.objects.all()
    serializer_class = ApplicationSerializer
    permission_base = "approvals.application"
    filterset_class = ApplicationApiFilterSet
    ordering_fields = ["submitted_at", "decided_at", "id"]
    http_method_names = ["get", "post", "head", "options"]
    parser_classes = [BoundedJSONParser, MultiPartParser, FormParser]

    def required_permission_for(self, request):
        if self.action in ("list", "retrieve", "types", None):
            # Any one of the application permissions; the rows are narrowed to what the caller may reach.
            held = [name for name in PARTICIPANT_PERMISSIONS if has_permission(request.user, name)]
            return held[0] if held else PARTICIPANT_PERMISSIONS[0]
        if self.action == "create":
            return SUBMIT
        return super().required_permission_for(request)

    def get_queryset(self):
        return (
            Application.objects.reachable_by(self.request.user)
            .select_related("org", "submitter")
            .prefetch_related("handlers", "attachments", "decisions__actor")
            .order_by("-submitted_at", "-pk")
        )

    @extend_schema(request=SubmitSerializer, responses={201: ApplicationSerializer})
    def create(self, request, *args, **kwargs):
        payload = SubmitSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        application = services.submit(
            request.user,
            data["type"],
            title=data.get("title", ""),
            reason=data["reason"],
            payload=data.get("payload") or {},
            handler=data.get("handler"),
            attachments=data.get("attachments") or [],
        )
        return Response(self._read(application), status=status.HTTP_201_CREATED)

    def _read(self, application):
        return ApplicationSerializer(self.get_queryset().get(pk=application.pk), context={"request": self.request}).data

    @extend_schema(request=DecideSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"], required_permission=HANDLE)
    def approve(self, request, pk=None):
        """Approve the current step; the last step's approval runs the type's action (400 if it fails)."""
        payload = DecideSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        application = services.approve(request.user, self.get_object(), **payload.validated_data)
        return Response(self._read(application))

    @extend_schema(request=DecideSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"], required_permission=HANDLE)
    def reject(self, request, pk=None):
        payload = DecideSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        application = services.reject(
            request.user, self.get_object(), comment=data.get("comment", ""), step=data.get("step")
        )
        return Response(self._read(application))

    @extend_schema(request=ForwardSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"], required_permission=HANDLE)
    def forward(self, request, pk=None):
        payload = ForwardSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        application = services.forward(request.user, self.get_object(), **payload.validated_data)
        return Response(self._read(application))

    @extend_schema(request=WithdrawSerializer, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"], required_permission=SUBMIT)
    def withdraw(self, request, pk=None):
        payload = WithdrawSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        application = services.withdraw(request.user, self.get_object(), **payload.validated_data)
        return Response(self._read(application))

    @extend_schema(request=None, responses=ApplicationSerializer)
    @action(detail=True, methods=["post"], required_permission=REROUTE)
    def reroute(self, request, pk=None):
        application = services.reroute(request.user, self.get_object())
        return Response(self._read(application))

    @extend_schema(responses=ApplicationTypeSerializer(many=True))
    @action(detail=False, methods=["get"], filterset_class=None, pagination_class=None)
    def types(self, request):
        """The kinds of application, who decides them, and the payload fields each expects."""
        rows = [
            {
                "key": t.key,
                "label": str(t.label),
                "description": str(t.description),
                "can_submit": has_permission(request.user, SUBMIT)
                and has_permission(request.user, t.submit_permission),
                "steps": [
                    {"label": str(s.label), "route": s.route, "permission": s.required_permission} for s in t.steps
                ],
                "fields": payload_fields(t),
            }
            for t in application_types.all()
        ]
        return Response(ApplicationTypeSerializer(rows, many=True).data)
