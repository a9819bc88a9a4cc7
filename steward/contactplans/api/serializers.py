from rest_framework import serializers

from steward.contactplans.models import ContactPlan
from steward.interactions.models import Interaction


class ContactPlanSerializer(serializers.ModelSerializer):
    customer_number = serializers.CharField(source="customer.cif", read_only=True)
    is_overdue = serializers.BooleanField(read_only=True)
    customers = serializers.ListField(
        child=serializers.IntegerField(min_value=1), write_only=True, min_length=1, max_length=20_000
    )

    class Meta:
        model = ContactPlan
        fields = [
            "id",
            "customer",
            "customer_number",
            "owner",
            "planned_at",
            "channel",
            "purpose",
            "status",
            "is_overdue",
            "source",
            "interaction",
            "completed_at",
            "customers",
        ]
        read_only_fields = ["customer", "owner", "status", "source", "interaction", "completed_at"]


class CompletePlanSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=Interaction.Outcome.choices)
    occurred_at = serializers.DateTimeField(required=False)
    duration_seconds = serializers.IntegerField(required=False, min_value=0, max_value=86400)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    next_step = serializers.CharField(required=False, allow_blank=True, max_length=500)
