from django.utils import timezone
from rest_framework import status
from rest_framework.response import Response

from steward.core.api import ScopedModelViewSet
from steward.core.errors import DomainError
from steward.customers.models import Customer
from steward.interactions import services
from steward.interactions.api.serializers import InteractionSerializer
from steward.interactions.filters import InteractionApiFilterSet
from steward.interactions.models import Interaction
from steward.interactions.permissions import ADD


class InteractionViewSet(ScopedModelViewSet):
    """Contacts with the customers in the caller's scope (SVC-05). POST records a contact through
    the same service as the page; a contact is never changed or deleted (PUT, PATCH, DELETE: 405)."""

    queryset = Interaction.objects.all()
    serializer_class = InteractionSerializer
    permission_base = "interactions.interaction"
    filterset_class = InteractionApiFilterSet
    select_related = ("customer", "employee")
    ordering_fields = ["occurred_at", "created_at"]
    http_method_names = ["get", "post", "head", "options"]

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = request.user
        if data.get("customer_id") is not None:
            customer = Customer.objects.visible_to(user, ADD).filter(pk=data["customer_id"]).first()
            if customer is None:
                raise DomainError(services.unknown_customer_message(), field="customer")
        else:
            customer = services.customer_by_number(user, data["customer"]["cif"])
        interaction = services.record_interaction(
            user,
            customer,
            channel=data["channel"],
            direction=data["direction"],
            occurred_at=data.get("occurred_at") or timezone.now(),
            duration_seconds=data.get("duration_seconds"),
            outcome=data["outcome"],
            summary=data.get("summary", ""),
            next_step=data.get("next_step", ""),
        )
        interaction = self.get_queryset().get(pk=interaction.pk)
        return Response(self.get_serializer(interaction).data, status=status.HTTP_201_CREATED)
