from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from steward.core.api import ReadOnlyScopedViewSet
from steward.holdings import services
from steward.holdings.api.serializers import IntakeBatchSerializer, IntakeUploadSerializer
from steward.holdings.models import IntakeBatch


class IntakeBatchViewSet(ReadOnlyScopedViewSet):
    """Intake batches (one per source, entity and data date); POST upload/ loads one day file."""

    queryset = IntakeBatch.objects.all()
    serializer_class = IntakeBatchSerializer
    permission_base = "holdings.intake"
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
            request.user, entity=data["entity"], data_date=data["data_date"], upload=data["file"], source=data["source"]
        )
        refused = bool(result.refused)
        return Response(
            IntakeBatchSerializer(result.batches, many=True).data,
            status=status.HTTP_400_BAD_REQUEST if refused else status.HTTP_201_CREATED,
        )
