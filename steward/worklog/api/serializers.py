from rest_framework import serializers

from steward.worklog.models import (
    Guidance,
    WorkAssignment,
    WorkEntry,
    WorkflowRun,
    WorkflowStep,
    WorkflowTemplate,
    WorkItem,
)


class WorkEntrySerializer(serializers.ModelSerializer):
    owner_no = serializers.CharField(source="owner.employee_no", read_only=True)
    owner_name = serializers.CharField(source="owner.name", read_only=True)

    class Meta:
        model = WorkEntry
        fields = [
            "id",
            "owner",
            "owner_no",
            "owner_name",
            "kind",
            "period",
            "on",
            "title",
            "details",
            "is_done",
            "updated_at",
        ]
        read_only_fields = ["owner", "updated_at"]


class WorkAssignmentSerializer(serializers.ModelSerializer):
    assignee_no = serializers.CharField(source="assignee.employee_no", read_only=True)

    class Meta:
        model = WorkAssignment
        fields = ["id", "assignee", "assignee_no", "status", "progress", "updated_at"]


class WorkItemSerializer(serializers.ModelSerializer):
    assignments = serializers.SerializerMethodField()
    assignees = serializers.ListField(child=serializers.IntegerField(min_value=1), write_only=True, min_length=1)

    class Meta:
        model = WorkItem
        fields = ["id", "title", "details", "due_on", "created_by", "created_at", "assignees", "assignments"]
        read_only_fields = ["created_by", "created_at"]

    def get_assignments(self, item) -> list[dict]:
        from steward.worklog.services import progress_of

        return WorkAssignmentSerializer(progress_of(self.context["request"].user, item), many=True).data


class ProgressSerializer(serializers.Serializer):
    progress = serializers.IntegerField(min_value=0, max_value=100)
    text = serializers.CharField(max_length=2000)


class GuidanceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Guidance
        fields = ["id", "author", "employee", "entry", "text", "created_at"]
        read_only_fields = ["author", "created_at"]


class WorkflowStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = WorkflowStep
        fields = ["id", "order", "title", "due_on", "done_at", "done_by", "note"]


class WorkflowRunSerializer(serializers.ModelSerializer):
    steps = WorkflowStepSerializer(many=True, read_only=True)
    customer_number = serializers.CharField(source="customer.cif", read_only=True)
    customers = serializers.ListField(child=serializers.IntegerField(min_value=1), write_only=True, min_length=1)

    class Meta:
        model = WorkflowRun
        fields = [
            "id",
            "template",
            "customer",
            "customer_number",
            "owner",
            "started_on",
            "status",
            "steps",
            "customers",
        ]
        read_only_fields = ["customer", "owner", "started_on", "status"]


class CompleteStepSerializer(serializers.Serializer):
    step = serializers.IntegerField(min_value=1)
    note = serializers.CharField(max_length=500, required=False, allow_blank=True)


class WorkflowTemplateSerializer(serializers.ModelSerializer):
    steps = serializers.SerializerMethodField()

    class Meta:
        model = WorkflowTemplate
        fields = ["id", "name", "name_en", "description", "is_active", "steps"]

    def get_steps(self, template) -> list[dict]:
        return [
            {"order": s.order, "title": s.title, "due_business_days": s.due_business_days}
            for s in template.steps.order_by("order")
        ]
