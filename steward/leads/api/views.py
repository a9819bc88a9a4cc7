from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from steward.core.api import ScopedModelViewSet
from steward.leads import followups, opportunities, pool_admin, pools, services
from steward.leads.api.serializers import (
    CaptureResultSerializer,
    ChannelFeedSerializer,
    FollowUpSerializer,
    InstitutionSerializer,
    LeadEntrySerializer,
    LeadSerializer,
    OpportunitySerializer,
    ProtectionRuleSerializer,
)
from steward.leads.models import Institution, Lead, Opportunity, ProtectionRule
from steward.leads.permissions import ADD, CLAIM, FEED, FOLLOW_UP, POOL_CHANGE, POOL_VIEW, VIEW


def _result(result: services.CaptureResult) -> dict:
    return CaptureResultSerializer(
        {
            "received": result.received,
            "added": result.added,
            "already_known": result.already_known,
            "existing_customers": result.existing_customers,
        }
    ).data


class LeadViewSet(ScopedModelViewSet):
    """Potential customers in the caller's scope (LEAD-01, LEAD-02, LEAD-05): the org that received
    them, or held by the caller. ``POST`` enters one lead by hand (the caller holds it, unless the
    person is a customer already); ``POST leads/feed/`` is where an external channel posts its leads
    (``{"channel": "mobile_banking", "leads": [...]}``, at most 500; idempotent on each lead's
    ``channel_ref``: one stored already counts as ``already_known``); ``POST leads/{id}/claim/``
    takes a lead out of a pool of the caller's org (or an org above it) within the pool's rules."""

    queryset = Lead.objects.all()
    serializer_class = LeadSerializer
    permission_base = "leads.lead"
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = {"stage": ["exact"], "source": ["exact"], "org": ["exact"], "holder": ["exact"]}
    select_related = ("org", "pool", "holder")

    def required_permission_for(self, request):
        if self.action == "feed":
            return FEED
        if self.action == "claim":
            return CLAIM
        if self.action == "create":
            return ADD
        if self.action in ("follow_up", "release", "opportunity"):
            return FOLLOW_UP
        return VIEW

    @extend_schema(request=LeadEntrySerializer, responses=LeadSerializer)
    def create(self, request, *args, **kwargs):
        if not isinstance(request.data, dict):
            raise exceptions.ValidationError({"leads": [_("Send one lead as an object of fields.")]})
        result = services.enter_lead(request.user, dict(request.data))
        lead = Lead.objects.select_related("org", "pool", "holder").get(pk=result.leads[0].pk)
        return Response(LeadSerializer(lead, context=self.get_serializer_context()).data, status=201)

    @extend_schema(request=ChannelFeedSerializer, responses=CaptureResultSerializer)
    @action(detail=False, methods=["post"], required_permission=FEED)
    def feed(self, request):
        data = request.data
        if not isinstance(data, dict) or not isinstance(data.get("leads"), list):
            raise exceptions.ValidationError({"leads": [_("Send an object with the channel and a list of leads.")]})
        result = services.capture_from_channel(request.user, str(data.get("channel") or ""), data["leads"])
        return Response(_result(result), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=LeadSerializer)
    @action(detail=True, methods=["post"], required_permission=CLAIM)
    def claim(self, request, pk=None):
        # Not through get_object: a lead in a pool is claimed by people whose data scope may not
        # reach it yet (an RM's own leads); the service decides who may claim which pool.
        try:
            lead_id = int(pk)
        except (TypeError, ValueError):
            raise exceptions.NotFound() from None
        if not 0 < lead_id < 2**63:
            raise exceptions.NotFound()
        lead = pools.claim(request.user, lead_id)
        return Response(LeadSerializer(lead, context=self.get_serializer_context()).data)

    @extend_schema(request=FollowUpSerializer, responses=LeadSerializer)
    @action(detail=True, methods=["post"], url_path="follow-up", required_permission=FOLLOW_UP)
    def follow_up(self, request, pk=None):
        """Record a follow-up on a lead the caller holds (LEAD-10): the lead's stage, counts,
        protection deadline and appointment follow."""
        lead = self.get_object()
        data = FollowUpSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        values["stage"] = values.get("stage") or None
        followups.record_followup(request.user, lead, **values)
        lead = Lead.objects.select_related("org", "pool", "holder").get(pk=lead.pk)
        return Response(LeadSerializer(lead, context=self.get_serializer_context()).data, status=201)

    @extend_schema(request=None, responses=LeadSerializer)
    @action(detail=True, methods=["post"], required_permission=FOLLOW_UP)
    def release(self, request, pk=None):
        """Give a held lead back to its org's public pool."""
        lead = self.get_object()
        followups.release(
            request.user, lead, str(request.data.get("reason", "") if isinstance(request.data, dict) else "")
        )
        lead = Lead.objects.select_related("org", "pool", "holder").get(pk=lead.pk)
        return Response(LeadSerializer(lead, context=self.get_serializer_context()).data)

    @extend_schema(request=OpportunitySerializer, responses=OpportunitySerializer)
    @action(detail=True, methods=["post"], required_permission=FOLLOW_UP)
    def opportunity(self, request, pk=None):
        """Add an opportunity to a lead the caller holds (LEAD-11)."""
        lead = self.get_object()
        data = OpportunitySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        saved = opportunities.save_opportunity(request.user, lead, Opportunity(**data.validated_data))
        return Response(OpportunitySerializer(saved).data, status=201)


class LeadOpportunityViewSet(ScopedModelViewSet):
    """Opportunities on the leads in the caller's scope (LEAD-11), read-only here; added on
    ``POST leads/{id}/opportunity/``."""

    queryset = Opportunity.objects.all()
    serializer_class = OpportunitySerializer
    permission_base = "leads.lead"
    http_method_names = ["get", "head", "options"]
    filterset_fields = {"stage": ["exact"], "lead": ["exact"]}

    def get_queryset(self):
        visible = Lead.objects.visible_to(self.request.user, VIEW)
        return Opportunity.objects.filter(lead__in=visible.values("pk")).order_by("-created_at", "-pk")


class ProtectionRuleViewSet(ScopedModelViewSet):
    """Protection rules (LEAD-04) of the orgs in scope and the bank-wide default; written by
    holders of leads.pool:change through the same service as the page."""

    queryset = ProtectionRule.objects.all()
    serializer_class = ProtectionRuleSerializer
    permission_base = "leads.pool"
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def required_permission_for(self, request):
        return POOL_VIEW if request.method in ("GET", "HEAD", "OPTIONS") else POOL_CHANGE

    def get_queryset(self):
        from django.db.models import Q

        scoped = ProtectionRule.objects.visible_to(self.request.user, POOL_VIEW)
        return ProtectionRule.objects.filter(Q(pk__in=scoped.values("pk")) | Q(org__isnull=True)).order_by("pk")

    def perform_create(self, serializer):
        serializer.instance = pool_admin.save_protection_rule(
            self.request.user, ProtectionRule(**serializer.validated_data)
        )

    def perform_update(self, serializer):
        rule = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(rule, name, value)
        pool_admin.save_protection_rule(self.request.user, rule)

    def perform_destroy(self, instance):
        pool_admin.delete_protection_rule(self.request.user, instance)


class InstitutionViewSet(ScopedModelViewSet):
    """Institutions that bring leads (LEAD-01): payroll companies, partners."""

    queryset = Institution.objects.all()
    serializer_class = InstitutionSerializer
    permission_base = "leads.pool"
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def required_permission_for(self, request):
        return POOL_VIEW if request.method in ("GET", "HEAD", "OPTIONS") else POOL_CHANGE

    def perform_create(self, serializer):
        serializer.instance = pool_admin.save_institution(self.request.user, Institution(**serializer.validated_data))

    def perform_update(self, serializer):
        institution = serializer.instance
        for name, value in serializer.validated_data.items():
            setattr(institution, name, value)
        pool_admin.save_institution(self.request.user, institution)
