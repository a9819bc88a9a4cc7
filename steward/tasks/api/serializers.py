from rest_framework import serializers

from steward.interactions.models import Interaction
from steward.tasks.models import Task, TaskCategory, TaskItem


class TaskCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = TaskCategory
        fields = ["id", "name", "active", "created_at"]
        read_only_fields = ["id", "created_at"]


class TaskSerializer(serializers.ModelSerializer):
    """An assigned task with its counts of items (open, done, skipped)."""

    type_label = serializers.CharField(source="get_type_display", read_only=True)
    category_name = serializers.CharField(source="category.name", read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)

    class Meta:
        model = Task
        fields = [
            "id",
            "title",
            "category",
            "category_name",
            "org",
            "org_name",
            "description",
            "type",
            "type_label",
            "subject",
            "source",
            "condition",
            "method",
            "assignees",
            "due_on",
            "max_open_per_agent",
            "status",
            "closed_at",
            "last_evaluated_at",
            "created_by",
            "created_at",
        ]
        read_only_fields = fields


class TaskCreateSerializer(serializers.Serializer):
    """A new task (the service checks every rule and names the field at fault)."""

    title = serializers.CharField(max_length=200)
    category = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    org = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    description = serializers.CharField(required=False, allow_blank=True, max_length=4000)
    type = serializers.ChoiceField(choices=Task.Type.choices)
    subject = serializers.ChoiceField(choices=Task.Subject.choices, default=Task.Subject.CUSTOMERS)
    source = serializers.ChoiceField(choices=Task.Source.choices, default=Task.Source.FIXED)
    condition = serializers.JSONField(
        required=False, help_text="A segment definition (customers) or a lead filter (leads)."
    )
    customers = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False, max_length=200_000
    )
    leads = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False, max_length=200_000
    )
    method = serializers.ChoiceField(choices=Task.Method.choices, default=Task.Method.EVEN)
    assignees = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False, max_length=10_000
    )
    due_on = serializers.DateField(required=False, allow_null=True)
    max_open_per_agent = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=2**31 - 1)


class TaskItemSerializer(serializers.ModelSerializer):
    """One item: the customer (or potential customer) to serve, who serves them and how it ended."""

    task_title = serializers.CharField(source="task.title", read_only=True)
    task_type = serializers.CharField(source="task.type", read_only=True)
    subject_name = serializers.CharField(read_only=True)

    class Meta:
        model = TaskItem
        fields = [
            "id",
            "task",
            "task_title",
            "task_type",
            "customer",
            "lead",
            "subject_name",
            "assignee",
            "status",
            "added_at",
            "taken_at",
            "done_at",
            "outcome_note",
            "interaction",
        ]
        read_only_fields = fields


class DrawSerializer(serializers.Serializer):
    task = serializers.IntegerField(min_value=1, max_value=2**63 - 1)


class CompleteItemSerializer(serializers.Serializer):
    """Done, with an outcome note and, for a customer, optionally the contact made."""

    outcome_note = serializers.CharField(required=False, allow_blank=True, max_length=500)
    channel = serializers.ChoiceField(choices=Interaction.Channel.choices, required=False)
    outcome = serializers.ChoiceField(
        choices=Interaction.Outcome.choices, required=False, help_text="With it, the contact is recorded."
    )
    occurred_at = serializers.DateTimeField(required=False)
    duration_seconds = serializers.IntegerField(required=False, min_value=0, max_value=86_400)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    next_step = serializers.CharField(required=False, allow_blank=True, max_length=500)


class SkipItemSerializer(serializers.Serializer):
    outcome_note = serializers.CharField(max_length=500)
