from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from steward.contactplans import services
from steward.contactplans.api.serializers import CompletePlanSerializer, ContactPlanSerializer
from steward.contactplans.models import ContactPlan
from steward.contactplans.permissions import ADD, VIEW
from steward.core.api import ScopedModelViewSet


class ContactPlanViewSet(ScopedModelViewSet):
    """Contact plans of the customers in scope (SVC-01). POST plans one contact per customer in
    `customers` (ids, up to 20,000); `complete` records the contact made (an interaction) and
    closes the plan; `cancel` cancels it. `?overdue=1` lists the overdue ones."""

    queryset = ContactPlan.objects.all()
    serializer_class = ContactPlanSerializer
    permission_base = "contactplans.plan"
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = {"status": ["exact"], "channel": ["exact"], "owner": ["exact"], "customer": ["exact"]}
    select_related = ("customer",)

    def required_permission_for(self, request):
        if self.action in ("create", "complete", "cancel"):
            return ADD
        return VIEW

    def get_queryset(self):
        queryset = super().get_queryset()
        if self.request.query_params.get("overdue") in ("1", "true"):
            queryset = queryset.overdue()
        return queryset

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        planned = services.plan_contacts(
            request.user,
            data["customers"],
            planned_at=data["planned_at"],
            channel=data["channel"],
            purpose=data["purpose"],
            source=ContactPlan.Source.BULK if len(data["customers"]) > 1 else ContactPlan.Source.MANUAL,
        )
        return Response({"planned": planned}, status=201)

    @extend_schema(request=CompletePlanSerializer, responses=ContactPlanSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        plan = self.get_object()
        payload = CompletePlanSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        plan = services.complete_plan(request.user, plan, **payload.validated_data)
        return Response(ContactPlanSerializer(plan).data)

    @extend_schema(request=None, responses=ContactPlanSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        plan = services.cancel_plan(request.user, self.get_object())
        return Response(ContactPlanSerializer(plan).data)
