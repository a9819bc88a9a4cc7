from steward.allocation.models import AllocationRule, AllocationRun
from steward.core.filters import StewardFilterSet


class AllocationRuleFilterSet(StewardFilterSet):
    search_fields = ("name__icontains", "org__name__startswith")

    class Meta:
        model = AllocationRule
        fields = ["q", "mode", "method", "is_active"]


class AllocationRunFilterSet(StewardFilterSet):
    search_fields = ("rule__name__icontains", "org__name__startswith")

    class Meta:
        model = AllocationRun
        fields = ["q", "mode", "method"]
