"""The call centre's API (SVC-05, INT-05): the calls in the caller's scope (read-only), and where the
telephone system posts its call events and its daily call-detail file."""

from dataclasses import asdict

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from steward.core.api import ReadOnlyScopedViewSet
from steward.holdings.api.serializers import IntakeBatchSerializer
from steward.holdings.models import IntakeBatch
from steward.interactions import calls
from steward.interactions.filters import CallFilterSet
from steward.interactions.models import CALL_ID_MAX, EXTENSION_MAX, MAX_DURATION_SECONDS, CallRecord, Interaction
from steward.interactions.permissions import CALL_FEED


class CallRecordSerializer(serializers.ModelSerializer):
    """A call as the call centre reported it and as the end-of-day job matched it. The number is
    never given: only its masked form (last four digits)."""

    customer = serializers.IntegerField(source="customer_id", read_only=True, allow_null=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True, default="")
    employee = serializers.IntegerField(source="employee_id", read_only=True, allow_null=True)
    employee_name = serializers.CharField(source="employee.name", read_only=True, default="")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    reason_label = serializers.SerializerMethodField()

    class Meta:
        model = CallRecord
        fields = [
            "id",
            "call_id",
            "source",
            "data_date",
            "direction",
            "started_at",
            "duration_seconds",
            "outcome",
            "number_masked",
            "extension",
            "employee_no",
            "customer",
            "customer_name",
            "employee",
            "employee_name",
            "status",
            "status_label",
            "reason",
            "reason_label",
            "received_at",
            "matched_at",
        ]
        read_only_fields = fields

    def get_reason_label(self, obj) -> str:
        return str(obj.get_reason_display()) if obj.reason else ""


class CallEventSerializer(serializers.Serializer):
    """One call event (documented for the schema; the events are checked by the service, whose
    errors name the event and the field)."""

    call_id = serializers.CharField(max_length=CALL_ID_MAX)
    direction = serializers.ChoiceField(choices=Interaction.Direction.choices)
    started_at = serializers.DateTimeField()
    duration_seconds = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=MAX_DURATION_SECONDS
    )
    outcome = serializers.ChoiceField(choices=CallRecord.Outcome.choices)
    number = serializers.CharField(required=False, allow_blank=True, max_length=40, help_text="Sent, never stored.")
    extension = serializers.CharField(required=False, allow_blank=True, max_length=EXTENSION_MAX)
    employee_no = serializers.CharField(required=False, allow_blank=True, max_length=20)


class CallEventResultSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    added = serializers.IntegerField()
    already_known = serializers.IntegerField()


class CallFileSerializer(serializers.Serializer):
    file = serializers.FileField()
    data_date = serializers.DateField()
    source = serializers.CharField(max_length=30, default=calls.CALL_SOURCE)


class CallRecordViewSet(ReadOnlyScopedViewSet):
    """The call centre's calls in the caller's scope (a matched call through its customer, one not
    matched to a customer through its employee, one matched to nobody with the bank-wide scope):
    filter ``?data_date=&status=unmatched`` for a day's calls not matched, with the reason.
    ``POST calls/events/`` and ``POST calls/file/`` are where the telephone system delivers."""

    queryset = CallRecord.objects.all()
    serializer_class = CallRecordSerializer
    permission_base = "interactions.call"
    filterset_class = CallFilterSet
    select_related = ("customer", "employee")
    ordering_fields = ["started_at", "data_date"]
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(request=CallEventSerializer(many=True), responses=CallEventResultSerializer)
    @action(detail=False, methods=["post"], required_permission=CALL_FEED)
    def events(self, request):
        """Call events: a list of calls (or one, or ``{"events": [...]}``), at most 1,000. Every event
        is checked first; a bad one answers 400 naming the event and field, and nothing is stored.
        Idempotent on ``call_id``: a call already stored is counted as ``already_known``."""
        data = request.data
        if isinstance(data, dict) and "events" in data:
            data = data["events"]
        elif isinstance(data, dict):
            data = [data]
        if not isinstance(data, list):
            raise exceptions.ValidationError({"events": [_("Send a list of call events.")]})
        result = calls.record_call_events(request.user, data)
        body = {**asdict(result), "already_known": result.already_known}
        return Response(CallEventResultSerializer(body).data, status=status.HTTP_201_CREATED)

    @extend_schema(request={"multipart/form-data": CallFileSerializer}, responses=IntakeBatchSerializer)
    @action(detail=False, methods=["post"], parser_classes=[MultiPartParser], required_permission=CALL_FEED)
    def file(self, request):
        """The daily call-detail file (CSV, docs/interactions.md) of ``data_date``: loaded like the
        drop folder's; the answer is its intake batch (rows read, loaded, rejected; ``400`` if the
        file was refused). Its rejected lines are at ``/api/v1/intake-rejected-rows/?batch=<id>``."""
        payload = CallFileSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        batch = calls.upload_call_file(
            request.user, data_date=data["data_date"], upload=data["file"], source=data["source"]
        )
        refused = batch.status in (IntakeBatch.Status.REFUSED, IntakeBatch.Status.FAILED)
        return Response(
            IntakeBatchSerializer(batch).data,
            status=status.HTTP_400_BAD_REQUEST if refused else status.HTTP_201_CREATED,
        )
