from rest_framework import serializers

from steward.leads.models import Lead
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
