from rest_framework import serializers

from steward.allocation import services
from steward.allocation.models import AllocationRule, AllocationRun, Method
from steward.core.parsers import BoundedJSONField


class AllocationRuleSerializer(serializers.ModelSerializer):
    """An allocation rule (LEAD-08). `lead_filter` takes stages, levels, sources (lists of codes),
    campaign, import_number and created_within_days; `target_orgs` (step by step) or
    `target_employees` (direct) are lists of ids."""

    org_name = serializers.CharField(source="org.name", read_only=True)
    source_pool_name = serializers.CharField(source="source_pool.name", read_only=True)
    lead_filter = BoundedJSONField(required=False)

    class Meta:
        model = AllocationRule
        fields = [
            "id",
            "name",
            "org",
            "org_name",
            "source_pool",
            "source_pool_name",
            "lead_filter",
            "path",
            "method",
            "target_orgs",
            "target_employees",
            "daily_cap",
            "total_cap",
            "per_run_limit",
            "mode",
            "run_at",
            "is_active",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["created_by", "created_at"]


class ShareSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="employee or org")
    name = serializers.CharField()
    count = serializers.IntegerField()


class SkippedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    reason = serializers.CharField(help_text="on_leave, left, no_weight, daily_cap, total_cap, out_of_scope …")
    reason_label = serializers.SerializerMethodField()

    def get_reason_label(self, row) -> str:
        return services.skip_reason_label(row.get("reason", ""))


class PlanSerializer(serializers.Serializer):
    """What a run would do (nothing written)."""

    leads_found = serializers.IntegerField()
    leads_allocated = serializers.IntegerField()
    leads_left = serializers.IntegerField()
    shares = ShareSerializer(many=True)
    skipped = SkippedSerializer(many=True)


class AllocationRunSerializer(serializers.ModelSerializer):
    rule_name = serializers.CharField(source="rule.name", read_only=True, default="")
    org_name = serializers.CharField(source="org.name", read_only=True)
    run_by_name = serializers.CharField(source="run_by.name", read_only=True, default="")
    shares = ShareSerializer(many=True, read_only=True)
    skipped = SkippedSerializer(many=True, read_only=True)

    class Meta:
        model = AllocationRun
        fields = [
            "id",
            "rule",
            "rule_name",
            "org",
            "org_name",
            "mode",
            "method",
            "path",
            "run_by",
            "run_by_name",
            "at",
            "leads_found",
            "leads_moved",
            "shares",
            "skipped",
        ]
        read_only_fields = fields


class ManualAllocationSerializer(serializers.Serializer):
    lead_ids = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=False, max_length=100_000)
    target_ids = serializers.ListField(child=serializers.IntegerField(min_value=1), allow_empty=False, max_length=5000)
    method = serializers.ChoiceField(choices=Method.choices)
    preview = serializers.BooleanField(default=False, help_text="true: only say what would happen.")
