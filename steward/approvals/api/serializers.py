from django.urls import reverse
from rest_framework import serializers

from steward.approvals.models import Application, Attachment, Decision
from steward.approvals.registry import application_types
from steward.core.parsers import BoundedJSONField
from steward.org.models import Employee


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "name", "size", "content_type", "uploaded_at", "url"]
        read_only_fields = fields

    def get_url(self, obj) -> str:
        return reverse("approvals:attachment", args=[obj.pk])


class DecisionSerializer(serializers.ModelSerializer):
    actor_name = serializers.CharField(source="actor.name", read_only=True, default="")

    class Meta:
        model = Decision
        fields = [
            "id",
            "step_index",
            "step_label",
            "action",
            "actor",
            "actor_name",
            "comment",
            "routed_to",
            "created_at",
        ]
        read_only_fields = fields


class ApplicationSerializer(serializers.ModelSerializer):
    type_label = serializers.CharField(read_only=True)
    submitter_name = serializers.CharField(source="submitter.name", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)
    handlers = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    attachments = AttachmentSerializer(many=True, read_only=True)
    decisions = DecisionSerializer(many=True, read_only=True)

    class Meta:
        model = Application
        fields = [
            "id",
            "type",
            "type_label",
            "title",
            "reason",
            "payload",
            "status",
            "submitter",
            "submitter_name",
            "org",
            "org_name",
            "step_index",
            "step_label",
            "handlers",
            "submitted_at",
            "decided_at",
            "decided_by",
            "last_error",
            "last_error_at",
            "attachments",
            "decisions",
        ]
        read_only_fields = fields


class SubmitSerializer(serializers.Serializer):
    """A new application. With files, send multipart/form-data and `payload` as a JSON string."""

    type = serializers.ChoiceField(choices=[])
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    reason = serializers.CharField(max_length=4000)
    payload = BoundedJSONField(required=False, default=dict)
    handler = serializers.PrimaryKeyRelatedField(queryset=Employee.objects.all(), required=False, allow_null=True)
    attachments = serializers.ListField(child=serializers.FileField(), required=False, default=list)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = application_types.choices()

    def validate_payload(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError("The payload must be a JSON object.")
        return value


class DecideSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    step = serializers.IntegerField(
        required=False, allow_null=True, help_text="The step you decide; refused if the application moved on."
    )


class ForwardSerializer(DecideSerializer):
    to = serializers.PrimaryKeyRelatedField(queryset=Employee.objects.all())


class WithdrawSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class ApplicationTypeStepSerializer(serializers.Serializer):
    label = serializers.CharField()
    route = serializers.CharField()
    permission = serializers.CharField()


class PayloadFieldSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    required = serializers.BooleanField()
    kind = serializers.CharField()
    choices = serializers.ListField(child=serializers.ListField(), required=False)


class ApplicationTypeSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    description = serializers.CharField()
    can_submit = serializers.BooleanField()
    steps = ApplicationTypeStepSerializer(many=True)
    fields = PayloadFieldSerializer(many=True)
