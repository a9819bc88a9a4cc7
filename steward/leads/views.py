from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
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
    index_walk_page_rows,
)
from steward.leads import duplicates, followups, opportunities, pool_admin, pools, services
from steward.leads.filters import (
    ClaimableLeadFilterSet,
    InstitutionFilterSet,
    LeadFilterSet,
    LeadPoolFilterSet,
    RegionRouteFilterSet,
)
from steward.leads.forms import (
    FollowUpForm,
    InstitutionForm,
    LeadForm,
    LeadPoolForm,
    OpportunityForm,
    ProtectionRuleForm,
    RegionRouteForm,
    StageForm,
)
from steward.leads.listing import created_ordered_page
from steward.leads.models import Institution, Lead, LeadPool, Opportunity, ProtectionRule, RegionRoute
from steward.leads.permissions import (
    ADD,
    CLAIM,
    FOLLOW_UP,
    MERGE,
    POOL_CHANGE,
    POOL_VIEW,
    ROUTE_CHANGE,
    ROUTE_VIEW,
    VIEW,
)
from steward.leads.tables import (
    ClaimableLeadTable,
    InstitutionTable,
    LeadPoolTable,
    LeadTable,
    ProtectionRuleTable,
    RegionRouteTable,
)


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
        # Merged duplicates live on in their survivor's history, not in the list.
        return (
            super().get_queryset().filter(merged_into__isnull=True).select_related("org", "pool", "holder", "customer")
        )

    def page_rows(self, table):
        """A big list in creation order (the default, newest first) reads its page down the
        `lead_created` index (steward.leads.listing); other orders keep the table's query."""
        order = tuple(table.order_by or ())
        if order not in ((), ("created_at",), ("-created_at",)):
            return None
        newest_first = order != ("created_at",)
        return index_walk_page_rows(
            table,
            lambda paginator, rows, bottom, top: created_ordered_page(
                paginator.count_queryset,
                rows,
                newest_first=newest_first,
                bottom=bottom,
                top=top,
                listed=paginator.count,
            ),
        )

    def extra_context(self, request):
        from steward.access.services import has_permission

        buttons = []
        if has_permission(request.user, ADD):
            buttons.append((_("Import"), reverse("leads:import"), "import-leads"))
        if has_permission(request.user, MERGE):
            buttons.append((_("Duplicates"), reverse("leads:duplicates"), "duplicates"))
        return {"extra_buttons": buttons}


class LeadDetailView(ObjectDetailView):
    """A lead's page (LEAD-10, LEAD-11): its facts, the holder's countdown, opportunities, and its
    whole history across holders (follow-ups and hand-overs), with the holder's buttons."""

    model = Lead
    permission = VIEW
    template_name = "leads/lead_detail.html"

    def extra_context(self, request, obj):
        from django.utils import timezone

        from steward.access.services import has_permission

        user = request.user
        is_holder = obj.holder_id == user.pk and obj.stage not in followups.CLOSED and not obj.merged_into_id
        history = [
            ("interaction", item.occurred_at, item)
            for item in obj.interactions.select_related("employee").order_by("-occurred_at")[:200]
        ] + [
            ("move", move.at, move)
            for move in obj.moves.select_related("from_holder", "to_holder", "pool", "rule")[:200]
        ]
        history.sort(key=lambda row: row[1], reverse=True)
        left = obj.protected_until - timezone.now() if obj.protected_until and obj.holder_id else None
        return {
            "is_holder": is_holder and has_permission(user, FOLLOW_UP),
            "history": history,
            "opportunities": obj.opportunities.select_related("owner"),
            "countdown_days": max(left.days, 0) if left is not None else None,
            "countdown_hours": max(int(left.total_seconds() // 3600), 0) if left is not None else None,
            "expired": left is not None and left.total_seconds() <= 0,
            "same_person": duplicates.same_person(obj).filter(pk__in=Lead.objects.visible_to(user, VIEW).values("pk"))[
                :10
            ],
            "can_merge": has_permission(user, MERGE),
            "merged_into": obj.merged_into if obj.merged_into_id else None,
        }


class LeadAddView(ServiceFormView):
    """Enter a lead by hand (LEAD-01): the one who enters it holds it, unless the person is a
    customer already — then it goes to that customer's relationship manager (LEAD-05)."""

    model = Lead
    permission = ADD
    form_class = LeadForm
    title = gettext_lazy("New potential customer")

    def get_instance(self):
        return None

    def get_form(self, data=None, instance=None):
        form = super().get_form(data=data, instance=instance)
        if data is None and self.request.GET.get("q"):
            # "Save as potential customer" from a search (LEAD-12): what was searched for, filled in.
            form.initial.update(services.search_initial(self.request.GET["q"]))
            form.initial["from_search"] = "1"
        return form

    def perform(self, form, instance):
        source = Lead.Source.SEARCH if form.cleaned_data.get("from_search") else Lead.Source.MANUAL
        result = services.enter_lead(self.request.user, form.cleaned_data, source=source)
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


# ---------------------------------------------------------------- one lead: follow-up, stage, history


class LeadChildFormView(ServiceFormView):
    """A form about one visible lead (its pk in the URL): follow-up, stage, opportunity."""

    model = Lead
    permission = FOLLOW_UP

    def get_lead(self) -> Lead:
        if self.lead is None:
            self.lead = get_object_or_404(
                Lead.objects.visible_to(self.request.user, VIEW).select_related("org", "holder"), pk=self.kwargs["pk"]
            )
        return self.lead

    def get_instance(self):
        return None

    def get_title(self, instance) -> str:
        return f"{self.title} · {self.get_lead().name}"

    def dispatch(self, request, *args, **kwargs):
        # Only the holder of an open lead works it: others are sent back to the lead's page with
        # the reason, instead of a form whose saving would fail.
        self.lead = None
        if request.user.is_authenticated and "pk" in kwargs:
            self.kwargs = kwargs
            lead = Lead.objects.visible_to(request.user, VIEW).filter(pk=kwargs["pk"]).first()
            if lead is not None and (
                lead.holder_id != request.user.pk or lead.stage in followups.CLOSED or lead.merged_into_id
            ):
                if lead.holder_id != request.user.pk:
                    messages.error(request, _("Only the lead's holder works on it."))
                else:
                    messages.error(request, _("This lead is closed (%(stage)s).") % {"stage": lead.get_stage_display()})
                return HttpResponseRedirect(lead.get_absolute_url())
        return super().dispatch(request, *args, **kwargs)

    def success_url(self, obj):
        return self.get_lead().get_absolute_url()


class FollowUpView(LeadChildFormView):
    form_class = FollowUpForm
    title = gettext_lazy("Follow-up")
    success_message = gettext_lazy("The follow-up was recorded.")

    def get_form(self, data=None, instance=None):
        return self.form_class(data=data, user=self.request.user, lead=self.get_lead())

    def perform(self, form, instance):
        data = form.cleaned_data
        minutes = data.get("duration_minutes")
        return followups.record_followup(
            self.request.user,
            self.get_lead(),
            channel=data["channel"],
            direction=data["direction"],
            occurred_at=data["occurred_at"],
            outcome=data["outcome"],
            duration_seconds=minutes * 60 if minutes is not None else None,
            summary=data["summary"],
            next_step=data["next_step"],
            stage=data["stage"] or None,
            invalid_reason=data["invalid_reason"],
            appointment_at=data["appointment_at"],
            appointment_note=data["appointment_note"],
        )


class StageView(LeadChildFormView):
    form_class = StageForm
    title = gettext_lazy("Change the stage")
    success_message = gettext_lazy("The stage was changed.")

    def get_form(self, data=None, instance=None):
        return self.form_class(data=data, user=self.request.user, lead=self.get_lead())

    def perform(self, form, instance):
        return followups.set_stage(
            self.request.user,
            self.get_lead(),
            form.cleaned_data["stage"],
            invalid_reason=form.cleaned_data["invalid_reason"],
        )


class OpportunityFormView(LeadChildFormView):
    form_class = OpportunityForm
    title = gettext_lazy("Opportunity")
    success_message = gettext_lazy("The opportunity was saved.")

    def get_instance(self):
        if "opportunity" in self.kwargs:
            return get_object_or_404(Opportunity, pk=self.kwargs["opportunity"], lead=self.get_lead())
        return None

    def get_form(self, data=None, instance=None):
        return self.form_class(data=data, instance=instance, user=self.request.user)

    def perform(self, form, instance):
        return opportunities.save_opportunity(self.request.user, self.get_lead(), form.instance)


class ReleaseView(ObjectActionView):
    """The holder gives the lead back to the pool."""

    model = Lead
    permission = FOLLOW_UP

    def act(self, request, obj):
        followups.release(request.user, obj, request.POST.get("reason", ""))
        return _("%(name)s went back to the pool.") % {"name": obj.name}

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        try:
            messages.success(request, self.act(request, obj))
        except DomainError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(obj.get_absolute_url())
        return HttpResponseRedirect(reverse("leads:list"))


# ---------------------------------------------------------------- duplicates


class DuplicatesView(PermissionRequiredMixin, View):
    """Leads that share a mobile or an ID number, with a Merge button per group (LEAD-05)."""

    permission = MERGE

    def get(self, request):
        groups = duplicates.duplicate_groups(request.user)
        return TemplateResponse(
            request,
            "leads/duplicates.html",
            {"title": _("Duplicate potential customers"), "groups": groups},
        )

    def post(self, request):
        visible = Lead.objects.visible_to(request.user, MERGE)
        survivor = visible.filter(pk=_int(request.POST.get("survivor"))).first()
        others = list(visible.filter(pk__in=[_int(v) for v in request.POST.getlist("lead")]))
        if survivor is None:
            messages.error(request, _("Choose the lead that stays."))
            return HttpResponseRedirect(reverse("leads:duplicates"))
        try:
            count = duplicates.merge_leads(request.user, survivor, others)
        except DomainError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(reverse("leads:duplicates"))
        messages.success(
            request, _("%(n)s duplicates were merged into %(name)s.") % {"n": count, "name": survivor.name}
        )
        return HttpResponseRedirect(survivor.get_absolute_url())


def _int(value) -> int:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 0
    return number if 0 < number < 2**63 else 0


# ---------------------------------------------------------------- pools, protection rules, institutions


class LeadPoolListView(ObjectListView):
    model = LeadPool
    permission = POOL_VIEW
    table_class = LeadPoolTable
    filterset_class = LeadPoolFilterSet
    title = gettext_lazy("Lead pools and rules")

    def get_queryset(self):
        return super().get_queryset().select_related("org", "holder").annotate(waiting=Count("leads"))

    def extra_context(self, request):
        return {
            "extra_buttons": [
                (_("Protection rules"), reverse("leads:protection_list"), "protection-rules"),
                (_("Institutions"), reverse("leads:institution_list"), "institutions"),
            ]
        }


class LeadPoolFormView(ServiceFormView):
    model = LeadPool
    permission = POOL_CHANGE
    form_class = LeadPoolForm
    success_message = gettext_lazy("The pool's rules were saved.")

    def get_queryset(self):
        return super().get_queryset().exclude(kind=LeadPool.Kind.INVALID)

    def perform(self, form, instance):
        return pool_admin.save_pool(self.request.user, form)

    def success_url(self, obj):
        return reverse("leads:pool_list")


class ProtectionRuleListView(ObjectListView):
    model = ProtectionRule
    permission = POOL_VIEW
    table_class = ProtectionRuleTable
    title = gettext_lazy("Lead protection rules")
    add_url_name = "leads:protection_add"
    add_permission = POOL_CHANGE

    def get_queryset(self):
        # The bank-wide default (no org) is everyone's: shown beside the rules of the orgs in scope.
        scoped = super().get_queryset()
        return ProtectionRule.objects.filter(Q(pk__in=scoped.values("pk")) | Q(org__isnull=True)).select_related(
            "org", "reclaim_pool", "reclaim_person"
        )


class ProtectionRuleFormView(ServiceFormView):
    model = ProtectionRule
    permission = POOL_CHANGE
    form_class = ProtectionRuleForm
    title = gettext_lazy("New protection rule")
    success_message = gettext_lazy("Saved: leads handed over from now on follow this rule.")

    def get_queryset(self):
        # The bank-wide rule is edited by the head office's administrators (pool_admin decides).
        return ProtectionRule.objects.filter(pk__in=pool_admin.editable_rule_ids(self.request.user))

    def perform(self, form, instance):
        return pool_admin.save_protection_rule(self.request.user, form.instance)

    def success_url(self, obj):
        return reverse("leads:protection_list")


class ProtectionRuleDeleteView(ObjectActionView):
    model = ProtectionRule
    permission = POOL_CHANGE

    def get_queryset(self):
        return ProtectionRule.objects.filter(pk__in=pool_admin.editable_rule_ids(self.request.user))

    def post(self, request, *args, **kwargs):
        try:
            pool_admin.delete_protection_rule(request.user, self.get_object())
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("The rule was removed."))
        return HttpResponseRedirect(reverse("leads:protection_list"))


class InstitutionListView(ObjectListView):
    model = Institution
    permission = POOL_VIEW
    table_class = InstitutionTable
    filterset_class = InstitutionFilterSet
    title = gettext_lazy("Institutions")
    add_url_name = "leads:institution_add"
    add_permission = POOL_CHANGE

    def get_queryset(self):
        return super().get_queryset().select_related("org").annotate(lead_count=Count("leads"))


class InstitutionFormView(ServiceFormView):
    model = Institution
    permission = POOL_CHANGE
    form_class = InstitutionForm
    title = gettext_lazy("New institution")
    success_message = gettext_lazy("The institution was saved.")

    def perform(self, form, instance):
        return pool_admin.save_institution(self.request.user, form.instance)

    def success_url(self, obj):
        return reverse("leads:institution_list")
