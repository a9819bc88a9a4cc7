from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from steward.access.services import has_permission
from steward.allocation import services
from steward.allocation.filters import AllocationRuleFilterSet, AllocationRunFilterSet
from steward.allocation.forms import AllocationRuleForm, ManualAllocationForm
from steward.allocation.models import AllocationRule, AllocationRun
from steward.allocation.permissions import CHANGE, RUN, VIEW
from steward.allocation.tables import AllocationRuleTable, AllocationRunTable
from steward.core.errors import DomainError
from steward.core.views import (
    ObjectActionView,
    ObjectDetailView,
    ObjectListView,
    PermissionRequiredMixin,
    ServiceFormView,
)

# The manual allocation page lists this many of a pool's longest-waiting leads to tick; "every
# lead waiting in the pool" takes them all, however many.
LEADS_SHOWN = 200


def _labelled(plan_rows):
    return [{**row, "reason_label": services.skip_reason_label(row.get("reason", ""))} for row in plan_rows]


class AllocationRuleListView(ObjectListView):
    """The allocation rules of the orgs in scope (LEAD-08)."""

    model = AllocationRule
    permission = VIEW
    table_class = AllocationRuleTable
    filterset_class = AllocationRuleFilterSet
    title = gettext_lazy("Lead allocation")
    template_name = "allocation/rule_list.html"
    add_url_name = "allocation:rule_add"
    add_permission = CHANGE

    def get_queryset(self):
        return super().get_queryset().select_related("org", "source_pool")

    def extra_context(self, request):
        return {"can_run": has_permission(request.user, RUN)}


class AllocationRuleDetailView(ObjectDetailView):
    """A rule, what running it now would do (the preview), the Run button and its last runs."""

    model = AllocationRule
    permission = VIEW
    template_name = "allocation/rule_detail.html"
    select_related = ("org", "source_pool", "created_by")

    def extra_context(self, request, obj):
        context = {
            "can_change": has_permission(request.user, CHANGE)
            and AllocationRule.objects.visible_to(request.user, CHANGE).filter(pk=obj.pk).exists(),
            "runs": AllocationRun.objects.visible_to(request.user, VIEW).filter(rule=obj).select_related("run_by")[:10],
            "targets": services.rule_target_orgs(obj) if obj.path == "step" else obj.target_employees.all(),
        }
        may_run = AllocationRule.objects.visible_to(request.user, RUN).filter(pk=obj.pk).exists()
        if may_run:
            plan = services.preview(request.user, obj)
            context.update(plan=plan, skipped=_labelled(plan.skipped), can_run=obj.is_active)
        return context


class AllocationRuleFormView(ServiceFormView):
    model = AllocationRule
    permission = CHANGE
    form_class = AllocationRuleForm
    title = gettext_lazy("New allocation rule")
    success_message = gettext_lazy("The allocation rule was saved.")
    select_related = ("org",)

    def perform(self, form, instance):
        return services.save_rule(
            self.request.user,
            form.instance,
            target_orgs=form.cleaned_data.get("target_orgs") or [],
            target_employees=form.cleaned_data.get("target_employees") or [],
        )


class AllocationRuleRunView(ObjectActionView):
    """The Run button under the preview (semi-automatic mode)."""

    model = AllocationRule
    permission = RUN

    def post(self, request, *args, **kwargs):
        rule = self.get_object()
        try:
            run = services.run(request.user, rule)
        except DomainError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(rule.get_absolute_url())
        messages.success(
            request,
            _("%(moved)s of %(found)s leads were allocated.") % {"moved": run.leads_moved, "found": run.leads_found},
        )
        return HttpResponseRedirect(run.get_absolute_url())


class AllocationRunListView(ObjectListView):
    """Every allocation carried out in scope: by rule, on schedule, by hand."""

    model = AllocationRun
    permission = VIEW
    table_class = AllocationRunTable
    filterset_class = AllocationRunFilterSet
    title = gettext_lazy("Allocation history")

    def get_queryset(self):
        return super().get_queryset().select_related("rule", "org", "run_by")


class AllocationRunDetailView(ObjectDetailView):
    model = AllocationRun
    permission = VIEW
    template_name = "allocation/run_detail.html"
    select_related = ("rule", "org", "run_by")

    def extra_context(self, request, obj):
        return {"skipped": _labelled(obj.skipped)}


class ManualAllocationView(PermissionRequiredMixin, View):
    """Manual allocation (LEAD-08): pick a pool's leads and people, see the preview, confirm."""

    permission = RUN
    template_name = "allocation/manual.html"

    def render(self, request, form, plan=None):
        pool = form.chosen_pool()
        context = {
            "title": _("Allocate leads by hand"),
            "form": form,
            "pool": pool,
            "plan": plan,
            "skipped": _labelled(plan.skipped) if plan else [],
        }
        if pool is not None:
            waiting = form.waiting(pool)
            context["waiting_count"] = waiting.count()
            context["leads_shown"] = waiting[:LEADS_SHOWN]
            context["ticked"] = {str(pk) for pk in form.data.getlist("leads")} if form.is_bound else set()
        return TemplateResponse(request, self.template_name, context)

    def get(self, request):
        form = ManualAllocationForm(user=request.user, initial={"pool": request.GET.get("pool")})
        return self.render(request, form)

    def post(self, request):
        form = ManualAllocationForm(request.POST, user=request.user)
        if not form.is_valid():
            return self.render(request, form)
        data = form.cleaned_data
        targets = [person.pk for person in data["targets"]]
        try:
            if "confirm" not in request.POST:
                plan = services.preview_manual(request.user, data["lead_ids"], targets, data["method"])
                return self.render(request, form, plan)
            run = services.allocate_manually(request.user, data["lead_ids"], targets, data["method"])
        except DomainError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
            return self.render(request, form)
        except PermissionDenied as error:
            form.add_error(None, str(error))
            return self.render(request, form)
        messages.success(
            request,
            _("%(moved)s of %(found)s leads were allocated.") % {"moved": run.leads_moved, "found": run.leads_found},
        )
        return HttpResponseRedirect(reverse("allocation:run_detail", args=[run.pk]))
