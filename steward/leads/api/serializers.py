from rest_framework import serializers

from steward.interactions.models import Interaction
from steward.leads.models import Institution, Lead, Opportunity, ProtectionRule
from steward.privacy.serializers import PiiMaskingSerializerMixin


class LeadSerializer(PiiMaskingSerializerMixin, serializers.ModelSerializer):
    """A potential customer. The mobile and ID number are masked unless unmasked (audited)."""

    stage_label = serializers.CharField(source="get_stage_display", read_only=True)
    source_label = serializers.CharField(source="get_source_display", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    pool_name = serializers.CharField(source="pool.name", read_only=True, default="")
    holder_name = serializers.CharField(source="holder.name", read_only=True, default="")
    is_existing_customer = serializers.BooleanField(read_only=True)

    class Meta:
        model = Lead
        fields = [
            "id",
            "name",
            "mobile",
            "mobile_province",
            "mobile_city",
            "mobile_carrier",
            "id_number",
            "org",
            "org_name",
            "pool",
            "pool_name",
            "holder",
            "holder_name",
            "customer",
            "is_existing_customer",
            "stage",
            "stage_label",
            "source",
            "source_label",
            "channel",
            "channel_ref",
            "campaign",
            "institution",
            "import_number",
            "level",
            "assigned_at",
            "protected_until",
            "followups",
            "valid_followups",
            "last_followup_at",
            "appointment_at",
            "intent_at",
            "valid_at",
            "converted_at",
            "converted_by",
            "invalid_reason",
            "merged_into",
            "created_at",
        ]
        read_only_fields = fields


class LeadEntrySerializer(serializers.Serializer):
    """One lead typed in (documented for the schema; the service checks it and names the field)."""

    name = serializers.CharField(max_length=100)
    mobile = serializers.CharField(max_length=40)
    id_number = serializers.CharField(max_length=18, required=False, allow_blank=True)
    customer_number = serializers.CharField(max_length=32, required=False, allow_blank=True)
    campaign = serializers.CharField(max_length=100, required=False, allow_blank=True)
    institution = serializers.CharField(
        max_length=40, required=False, allow_blank=True, help_text="The code of an active institution."
    )


class ChannelLeadSerializer(LeadEntrySerializer):
    channel_ref = serializers.CharField(max_length=64, help_text="The channel's own reference (idempotency).")


class ChannelFeedSerializer(serializers.Serializer):
    channel = serializers.CharField(max_length=40, help_text="e.g. mobile_banking, partner.example")
    leads = ChannelLeadSerializer(many=True)


class CaptureResultSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    added = serializers.IntegerField()
    already_known = serializers.IntegerField()
    existing_customers = serializers.IntegerField()


class FollowUpSerializer(serializers.Serializer):
    """A follow-up on a lead one holds (LEAD-10); the service checks it and names the field."""

    channel = serializers.ChoiceField(choices=Interaction.Channel.choices)
    direction = serializers.ChoiceField(choices=Interaction.Direction.choices, default="outbound")
    occurred_at = serializers.DateTimeField()
    outcome = serializers.CharField(max_length=20)
    duration_seconds = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=86400)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    next_step = serializers.CharField(required=False, allow_blank=True, max_length=500)
    stage = serializers.ChoiceField(choices=["", "intent", "valid", "invalid"], required=False, allow_blank=True)
    invalid_reason = serializers.CharField(required=False, allow_blank=True, max_length=200)
    appointment_at = serializers.DateTimeField(required=False, allow_null=True)
    appointment_note = serializers.CharField(required=False, allow_blank=True, max_length=200)


class OpportunitySerializer(serializers.ModelSerializer):
    stage_label = serializers.CharField(source="get_stage_display", read_only=True)

    class Meta:
        model = Opportunity
        fields = [
            "id",
            "lead",
            "title",
            "product",
            "amount",
            "stage",
            "stage_label",
            "expected_on",
            "owner",
            "created_at",
            "closed_at",
        ]
        read_only_fields = ["id", "lead", "owner", "created_at", "closed_at"]


class ProtectionRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProtectionRule
        fields = [
            "id",
            "org",
            "level",
            "first_contact_days",
            "max_followups_without_intent",
            "min_valid_followups",
            "valid_window_days",
            "remind_days_before",
            "reclaim_to",
            "reclaim_pool",
            "reclaim_person",
            "is_active",
        ]


class InstitutionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Institution
        fields = ["id", "code", "name", "kind", "org", "is_active", "created_at"]
        read_only_fields = ["id", "created_at"]
