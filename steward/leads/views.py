from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from steward.core.errors import DomainError
from steward.core.views import (
    ObjectActionView,
    ObjectDetailView,
    ObjectListView,
    PermissionRequiredMixin,
    ServiceFormView,
)
from steward.leads import pools, services
from steward.leads.filters import ClaimableLeadFilterSet, LeadFilterSet, RegionRouteFilterSet
from steward.leads.forms import LeadForm, RegionRouteForm
from steward.leads.models import Lead, RegionRoute
from steward.leads.permissions import ADD, CLAIM, ROUTE_CHANGE, ROUTE_VIEW, VIEW
from steward.leads.tables import ClaimableLeadTable, LeadTable, RegionRouteTable


class LeadListView(ObjectListView):
    """Potential customers in scope: those the user's orgs received, and those they hold."""

    model = Lead
    permission = VIEW
    table_class = LeadTable
    filterset_class = LeadFilterSet
    title = gettext_lazy("Potential customers")
    add_url_name = "leads:add"
    add_permission = ADD

    def get_queryset(self):
        return super().get_queryset().select_related("org", "pool", "holder", "customer")


class LeadDetailView(ObjectDetailView):
    model = Lead
    permission = VIEW
    template_name = "leads/lead_detail.html"


class LeadAddView(ServiceFormView):
    """Enter a lead by hand (LEAD-01): the one who enters it holds it, unless the person is a
    customer already — then it goes to that customer's relationship manager (LEAD-05)."""

    model = Lead
    permission = ADD
    form_class = LeadForm
    title = gettext_lazy("New potential customer")

    def get_instance(self):
        return None

    def perform(self, form, instance):
        result = services.enter_lead(self.request.user, form.cleaned_data)
        lead = result.leads[0]
        if lead.customer_id:
            messages.info(
                self.request,
                _(
                    "%(name)s is a customer already: the lead is linked to the customer and goes to their relationship manager."
                )
                % {"name": lead.name},
            )
        else:
            messages.success(self.request, _("The potential customer was saved."))
        return lead

    def success_url(self, obj):
        # A lead that went to another RM's customer may be out of the user's sight: back to the list.
        if Lead.objects.visible_to(self.request.user, VIEW).filter(pk=obj.pk).exists():
            return obj.get_absolute_url()
        return reverse("leads:list")


class ClaimableLeadListView(ObjectListView):
    """The leads waiting in the pools of the user's org and the orgs above it (LEAD-06)."""

    model = Lead
    permission = CLAIM
    table_class = ClaimableLeadTable
    filterset_class = ClaimableLeadFilterSet
    title = gettext_lazy("Leads to claim")

    def get_queryset(self):
        return pools.claimable_leads(self.request.user).select_related("pool").order_by("pooled_at", "pk")


class ClaimView(PermissionRequiredMixin, View):
    """The Claim button: the pool's rules decide; a refusal says which rule."""

    permission = CLAIM
    http_method_names = ["post"]

    def post(self, request, pk):
        try:
            lead = pools.claim(request.user, pk)
        except DomainError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(reverse("leads:claimable"))
        messages.success(request, _("You now hold %(name)s.") % {"name": lead.name})
        return HttpResponseRedirect(lead.get_absolute_url())


class RegionRouteListView(ObjectListView):
    """The region table (LEAD-02): which org receives the leads of a province or city."""

    model = RegionRoute
    permission = ROUTE_VIEW
    table_class = RegionRouteTable
    filterset_class = RegionRouteFilterSet
    title = gettext_lazy("Lead routing by region")
    add_url_name = "leads:region_add"
    add_permission = ROUTE_CHANGE

    def get_queryset(self):
        return super().get_queryset().select_related("org")


class RegionRouteFormView(ServiceFormView):
    model = RegionRoute
    permission = ROUTE_CHANGE
    form_class = RegionRouteForm
    title = gettext_lazy("New region route")
    success_message = gettext_lazy("Saved: new leads of this region go to the org named.")

    def perform(self, form, instance):
        return services.save_route(self.request.user, form.instance)

    def success_url(self, obj):
        return reverse("leads:region_list")


class RegionRouteDeleteView(ObjectActionView):
    model = RegionRoute
    permission = ROUTE_CHANGE

    def act(self, request, obj):
        services.delete_route(request.user, obj)
        return _("The row was removed: the region's leads go to its province's row or to the default org.")

    def post(self, request, *args, **kwargs):
        messages.success(request, self.act(request, self.get_object()))
        return HttpResponseRedirect(reverse("leads:region_list"))
