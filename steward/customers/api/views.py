from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from steward.approvals.services import submit
from steward.core.api import ScopedModelViewSet
from steward.customers import services
from steward.customers.api.serializers import (
    ConfidentialSerializer,
    CustomerNoteSerializer,
    CustomerSerializer,
    TransferRequestSerializer,
)
from steward.customers.filters import CustomerFilterSet
from steward.customers.models import Customer

READ_ONLY_ON_UPDATE = ("cif", "org", "owner")


class CustomerViewSet(ScopedModelViewSet):
    """Customers in the caller's data scope (confidential ones only for their owner and grantees);
    personal data masked unless ?unmask=1 is permitted. Writes call the customer services."""

    queryset = Customer.objects.all()
    serializer_class = CustomerSerializer
    permission_base = "customers.customer"
    filterset_class = CustomerFilterSet
    select_related = ("owner", "org", "figures")
    ordering_fields = ["cif", "name", "figures__aum", "figures__avg_daily_assets_month", "birth_date"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.create_customer(
            self.request.user, cif=data.pop("cif"), org=data.pop("org"), owner=data.pop("owner", None), **data
        )

    def perform_update(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k not in READ_ONLY_ON_UPDATE}
        serializer.instance = services.update_customer(self.request.user, serializer.instance, **data)

    @extend_schema(request=CustomerNoteSerializer, responses=CustomerNoteSerializer(many=True))
    @action(detail=True, methods=["get", "post"], required_permission="customers.customer:view")
    def notes(self, request, pk=None):
        """The notes the caller may read (public ones and their own private ones); POST adds one."""
        customer = self.get_object()
        if request.method == "POST":
            serializer = CustomerNoteSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            note = services.add_note(
                request.user,
                customer,
                serializer.validated_data["body"],
                private=serializer.validated_data.get("is_private", False),
            )
            return Response(CustomerNoteSerializer(note).data, status=status.HTTP_201_CREATED)
        return Response(CustomerNoteSerializer(services.notes_for(request.user, customer), many=True).data)

    @extend_schema(request=ConfidentialSerializer, responses=CustomerSerializer)
    @action(detail=True, methods=["post"], required_permission="customers.customer:confidential")
    def confidential(self, request, pk=None):
        serializer = ConfidentialSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        customer = services.set_confidential(request.user, self.get_object(), serializer.validated_data["confidential"])
        return Response(self.get_serializer(customer).data)

    @extend_schema(request=TransferRequestSerializer, responses={201: dict})
    @action(detail=False, methods=["post"], required_permission="customers.customer:transfer")
    def transfer(self, request):
        """Submit a transfer application ("customers.transfer"); the supervisor decides it."""
        serializer = TransferRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        application = submit(
            request.user,
            "customers.transfer",
            reason=data["reason"],
            payload={"customers": " ".join(data["customers"]), "new_owner": data["new_owner"]},
        )
        return Response({"application": application.pk, "status": application.status}, status=status.HTTP_201_CREATED)
