from dataclasses import asdict

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions
from rest_framework.decorators import action
from rest_framework.response import Response

from steward.channels import services
from steward.channels.api.serializers import (
    OutboundMessageDetailSerializer,
    OutboundMessageSerializer,
    ReceiptResultSerializer,
    ReceiptSerializer,
)
from steward.channels.filters import OutboxApiFilterSet
from steward.channels.models import OutboundMessage
from steward.channels.permissions import RECEIPT
from steward.channels.services import MAX_RECEIPTS
from steward.core.api import ReadOnlyScopedViewSet


class OutboundMessageViewSet(ReadOnlyScopedViewSet):
    """The outbox (INT-05): messages to customers and staff in the caller's scope, read-only.
    ``POST outbound-messages/receipts/`` is where the SMS gateway posts its delivery reports."""

    queryset = OutboundMessage.objects.all()
    serializer_class = OutboundMessageSerializer
    permission_base = "channels.message"
    filterset_class = OutboxApiFilterSet
    select_related = ("customer", "employee", "batch")
    ordering_fields = ["queued_at", "status", "channel"]
    http_method_names = ["get", "post", "head", "options"]

    def get_serializer_class(self):
        if self.action == "retrieve":
            return OutboundMessageDetailSerializer
        return super().get_serializer_class()

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.action == "retrieve":
            queryset = queryset.prefetch_related("attempt_log")
        return queryset

    @extend_schema(request=ReceiptSerializer(many=True), responses=ReceiptResultSerializer)
    @action(detail=False, methods=["post"], required_permission=RECEIPT)
    def receipts(self, request):
        """Delivery reports: a list of ``{"external_ref", "status": "delivered" | "failed", "detail"}``
        (one object, or ``{"receipts": [...]}``, are taken too). Idempotent: the same report again
        changes nothing. Answers how many were received, applied, unchanged (already final) and
        waiting (their message has not recorded that reference yet)."""
        data = request.data
        if isinstance(data, dict) and "receipts" in data:
            data = data["receipts"]
        elif isinstance(data, dict):
            data = [data]
        if not isinstance(data, list):
            raise exceptions.ValidationError({"receipts": [_("Send a list of delivery reports.")]})
        if len(data) > MAX_RECEIPTS:
            raise exceptions.ValidationError(
                {"receipts": [_("Send at most %(count)s delivery reports at once.") % {"count": MAX_RECEIPTS}]}
            )
        payload = ReceiptSerializer(data=data, many=True)
        payload.is_valid(raise_exception=True)
        result = services.record_receipts(request.user, list(payload.validated_data))
        return Response(ReceiptResultSerializer(asdict(result)).data)
