from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from steward.interactions.models import (
    EXTERNAL_REF_MAX,
    MAX_DURATION_SECONDS,
    NEXT_STEP_MAX,
    SUMMARY_MAX,
    Interaction,
)


class InteractionSerializer(serializers.ModelSerializer):
    """A contact with a customer. To record one (POST), name the customer by `customer` (id) or
    `customer_number`; the caller is the employee who made it. Read-only fields tell where a row came
    from (`source`, `external_ref`) and whether it counts as a contact."""

    customer = serializers.IntegerField(
        source="customer_id", required=False, allow_null=True, min_value=1, max_value=2**63 - 1
    )
    customer_number = serializers.CharField(source="customer.cif", required=False, max_length=32)
    customer_name = serializers.CharField(source="customer.name", read_only=True, default="")
    employee = serializers.IntegerField(source="employee_id", read_only=True, allow_null=True)
    employee_name = serializers.CharField(source="employee.name", read_only=True, default="")
    channel_label = serializers.CharField(source="get_channel_display", read_only=True)
    direction_label = serializers.CharField(source="get_direction_display", read_only=True)
    outcome_label = serializers.CharField(source="get_outcome_display", read_only=True)
    source_label = serializers.CharField(source="get_source_display", read_only=True)
    occurred_at = serializers.DateTimeField(required=False, help_text="When the contact took place; default: now.")
    duration_seconds = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, max_value=MAX_DURATION_SECONDS
    )
    summary = serializers.CharField(required=False, allow_blank=True, max_length=SUMMARY_MAX)
    next_step = serializers.CharField(required=False, allow_blank=True, max_length=NEXT_STEP_MAX)
    external_ref = serializers.CharField(read_only=True, max_length=EXTERNAL_REF_MAX)

    class Meta:
        model = Interaction
        fields = [
            "id",
            "customer",
            "customer_number",
            "customer_name",
            "employee",
            "employee_name",
            "channel",
            "channel_label",
            "direction",
            "direction_label",
            "occurred_at",
            "duration_seconds",
            "outcome",
            "outcome_label",
            "summary",
            "next_step",
            "source",
            "source_label",
            "external_ref",
            "is_contact",
            "created_at",
        ]
        read_only_fields = ["source", "is_contact", "created_at"]

    def validate(self, attrs):
        if self.instance is None and attrs.get("customer_id") is None and not (attrs.get("customer") or {}).get("cif"):
            raise serializers.ValidationError({"customer": [_("Name the customer: customer (id) or customer_number.")]})
        return attrs
