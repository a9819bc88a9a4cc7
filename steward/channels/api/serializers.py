from rest_framework import serializers

from steward.channels.models import DeliveryAttempt, DeliveryReceipt, OutboundMessage
from steward.privacy.serializers import PiiMaskingSerializerMixin


class DeliveryAttemptSerializer(serializers.ModelSerializer):
    outcome_label = serializers.CharField(source="get_outcome_display", read_only=True)

    class Meta:
        model = DeliveryAttempt
        fields = ["number", "at", "outcome", "outcome_label", "detail"]


class OutboundMessageSerializer(PiiMaskingSerializerMixin, serializers.ModelSerializer):
    """A message of the outbox; the address (mobile, e-mail) masked unless ?unmask=1 is allowed.
    `reason` is a code, `reason_text` the reason in the caller's language."""

    channel_label = serializers.CharField(source="get_channel_display", read_only=True)
    purpose_label = serializers.CharField(source="get_purpose_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    reason_text = serializers.CharField(read_only=True)
    recipient_name = serializers.SerializerMethodField()
    batch_name = serializers.CharField(source="batch.name", read_only=True, default=None, allow_null=True)

    class Meta:
        model = OutboundMessage
        fields = [
            "id",
            "channel",
            "channel_label",
            "purpose",
            "purpose_label",
            "customer",
            "employee",
            "recipient_name",
            "mobile",
            "email",
            "app_user",
            "subject",
            "body",
            "status",
            "status_label",
            "reason",
            "reason_text",
            "reason_detail",
            "attempts",
            "external_ref",
            "not_before",
            "queued_at",
            "sent_at",
            "settled_at",
            "created_by",
            "batch",
            "batch_name",
        ]
        read_only_fields = fields

    def get_recipient_name(self, message) -> str:
        recipient = message.customer if message.customer_id else message.employee
        return recipient.name if recipient is not None else ""


class OutboundMessageDetailSerializer(OutboundMessageSerializer):
    attempt_log = DeliveryAttemptSerializer(many=True, read_only=True)

    class Meta(OutboundMessageSerializer.Meta):
        fields = [*OutboundMessageSerializer.Meta.fields, "attempt_log"]
        read_only_fields = fields


class ReceiptSerializer(serializers.Serializer):
    """One delivery report: the gateway's message id and how it ended."""

    external_ref = serializers.CharField(max_length=100)
    status = serializers.ChoiceField(choices=DeliveryReceipt.Outcome.choices)
    detail = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ReceiptResultSerializer(serializers.Serializer):
    received = serializers.IntegerField()
    applied = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    waiting = serializers.IntegerField()
