from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import action
from rest_framework.response import Response

from steward.core.api import ScopedModelViewSet
from steward.leads import pools, services
from steward.leads.api.serializers import (
    CaptureResultSerializer,
    ChannelFeedSerializer,
    LeadEntrySerializer,
    LeadSerializer,
)
from steward.leads.models import Lead
from steward.leads.permissions import ADD, CLAIM, FEED, VIEW


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
