from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from steward.allocation import services
from steward.allocation.api.serializers import (
    AllocationRuleSerializer,
    AllocationRunSerializer,
    ManualAllocationSerializer,
    PlanSerializer,
)
from steward.allocation.models import AllocationRule, AllocationRun
from steward.allocation.permissions import CHANGE, RUN, VIEW
from steward.core.api import ScopedModelViewSet

WRITES = ("create", "update", "partial_update")
M2M = ("target_orgs", "target_employees")


def _plan(plan) -> dict:
    return PlanSerializer(
        {
            "leads_found": plan.leads_found,
            "leads_allocated": plan.leads_allocated,
            "leads_left": plan.leads_left,
            "shares": plan.shares,
            "skipped": plan.skipped,
        }
    ).data


class AllocationRuleViewSet(ScopedModelViewSet):
    """Lead allocation rules of the orgs in the caller's scope (LEAD-08). ``GET …/{id}/preview/``
    says who would get how many and who is skipped and why (nothing written); ``POST …/{id}/run/``
    runs the rule now (semi-automatic) and answers the recorded run."""

    queryset = AllocationRule.objects.all()
    serializer_class = AllocationRuleSerializer
    permission_base = "allocation.rule"
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    filterset_fields = {"org": ["exact"], "mode": ["exact"], "method": ["exact"], "is_active": ["exact"]}
    select_related = ("org", "source_pool")

    def required_permission_for(self, request):
        action_name = getattr(self, "action", None)
        if action_name in ("preview", "run"):
            return RUN
        if action_name in WRITES:
            return CHANGE
        return VIEW

    def _save(self, serializer, rule):
        data = dict(serializer.validated_data)
        targets = {name: data.pop(name, None) for name in M2M}
        for name, value in data.items():
            setattr(rule, name, value)
        current = {name: list(getattr(rule, name).all()) if rule.pk else [] for name in M2M}
        serializer.instance = services.save_rule(
            self.request.user,
            rule,
            target_orgs=targets["target_orgs"] if targets["target_orgs"] is not None else current["target_orgs"],
            target_employees=targets["target_employees"]
            if targets["target_employees"] is not None
            else current["target_employees"],
        )

    def perform_create(self, serializer):
        self._save(serializer, AllocationRule())

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)

    @extend_schema(request=None, responses=PlanSerializer)
    @action(detail=True, methods=["get"], required_permission=RUN)
    def preview(self, request, pk=None):
        return Response(_plan(services.preview(request.user, self.get_object())))

    @extend_schema(request=None, responses=AllocationRunSerializer)
    @action(detail=True, methods=["post"], required_permission=RUN)
    def run(self, request, pk=None):
        run = services.run(request.user, self.get_object())
        return Response(AllocationRunSerializer(run).data, status=status.HTTP_201_CREATED)


class AllocationRunViewSet(ScopedModelViewSet):
    """Allocations carried out in the caller's scope: by rule, on schedule, by hand.
    ``POST …/manual/`` allocates picked leads to picked people (``lead_ids``, ``target_ids``,
    ``method``; ``preview: true`` only says what would happen)."""

    queryset = AllocationRun.objects.all()
    serializer_class = AllocationRunSerializer
    permission_base = "allocation.rule"
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = {"rule": ["exact"], "mode": ["exact"], "org": ["exact"]}
    select_related = ("rule", "org", "run_by")

    def required_permission_for(self, request):
        action_name = getattr(self, "action", None)
        if action_name == "manual":
            return RUN
        if action_name == "create":
            # Runs are made by running a rule or by `manual`: no such permission, so POST here is a 405.
            return "allocation.run:add"
        return VIEW

    @extend_schema(request=ManualAllocationSerializer, responses=AllocationRunSerializer)
    @action(detail=False, methods=["post"], required_permission=RUN)
    def manual(self, request):
        serializer = ManualAllocationSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["preview"]:
            plan = services.preview_manual(request.user, data["lead_ids"], data["target_ids"], data["method"])
            return Response(_plan(plan))
        run = services.allocate_manually(request.user, data["lead_ids"], data["target_ids"], data["method"])
        return Response(AllocationRunSerializer(run).data, status=status.HTTP_201_CREATED)
