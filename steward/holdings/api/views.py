from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from steward.core.api import ReadOnlyScopedViewSet
from steward.holdings import services
from steward.holdings.api.serializers import (
    ConfirmHeldSerializer,
    IntakeBatchSerializer,
    IntakeDaySerializer,
    IntakeRejectedRowSerializer,
    IntakeUploadSerializer,
)
from steward.holdings.filters import IntakeBatchFilterSet, RejectedRowFilterSet
from steward.holdings.models import IntakeBatch, IntakeDay, IntakeRejectedRow


class IntakeBatchViewSet(ReadOnlyScopedViewSet):
    """Intake batches (one per source, entity and data date); POST upload/ loads one day file."""

    queryset = IntakeBatch.objects.all()
    serializer_class = IntakeBatchSerializer
    permission_base = "holdings.intake"
    filterset_class = IntakeBatchFilterSet
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(request={"multipart/form-data": IntakeUploadSerializer}, responses=IntakeBatchSerializer(many=True))
    @action(
        detail=False,
        methods=["post"],
        parser_classes=[MultiPartParser],
        required_permission="holdings.intake:upload",
    )
    def upload(self, request):
        payload = IntakeUploadSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        result = services.upload_file(
            request.user,
            entity=data["entity"],
            data_date=data["data_date"],
            upload=data["file"],
            source=data["source"],
            replace=data["replace"],
        )
        refused = bool(result.refused)
        return Response(
            IntakeBatchSerializer(result.batches, many=True).data,
            status=status.HTTP_400_BAD_REQUEST if refused else status.HTTP_201_CREATED,
        )


class IntakeRejectedRowViewSet(ReadOnlyScopedViewSet):
    """Rows the intake quarantined: `?batch=<id>` (one file), `?data_date=`, `?entity=`, `?source=`,
    `?q=` (words of the reason). Each gives the physical line, the reason and the masked raw row."""

    queryset = IntakeRejectedRow.objects.all()
    serializer_class = IntakeRejectedRowSerializer
    permission_base = "holdings.intake"
    filterset_class = RejectedRowFilterSet
    select_related = ("batch",)
    ordering_fields = ["line"]


class IntakeDayViewSet(ReadOnlyScopedViewSet):
    """Each data date's figures state (`waiting` with what it waits for, `pending`, `derived`);
    POST confirm-held/ applies a source's held snapshots of a day (`holdings.intake:confirm`)."""

    queryset = IntakeDay.objects.all()
    serializer_class = IntakeDaySerializer
    permission_base = "holdings.intake"
    http_method_names = ["get", "post", "head", "options"]
    ordering_fields = ["data_date"]

    @extend_schema(request=ConfirmHeldSerializer, responses=IntakeBatchSerializer(many=True))
    @action(detail=False, methods=["post"], url_path="confirm-held", required_permission="holdings.intake:confirm")
    def confirm_held(self, request):
        payload = ConfirmHeldSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        result = services.confirm_held_day(request.user, **payload.validated_data)
        return Response(IntakeBatchSerializer(result.batches, many=True).data, status=status.HTTP_200_OK)
