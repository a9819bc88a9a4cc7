import datetime as dt

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from steward.access.services import has_permission
from steward.contactplans import services
from steward.contactplans.filters import ContactPlanFilterSet
from steward.contactplans.forms import CompleteForm, PlanForm
from steward.contactplans.models import ContactPlan
from steward.contactplans.permissions import ADD, KEY_FLAG, KEY_VIEW, VIEW
from steward.contactplans.tables import ContactPlanTable
from steward.core.errors import DomainError
from steward.core.views import ObjectDetailView, ObjectListView, PermissionRequiredMixin, ServiceFormView
from steward.customers.models import Customer


class ContactPlanListView(ObjectListView):
    """Contact plans of the customers in scope; overdue ones are flagged (SVC-01)."""

    model = ContactPlan
    permission = VIEW
    table_class = ContactPlanTable
    filterset_class = ContactPlanFilterSet
    title = gettext_lazy("Contact plans")
    template_name = "contactplans/plan_list.html"
    add_url_name = "contactplans:plan_add"
    add_permission = ADD

    def get_queryset(self):
        return super().get_queryset().select_related("customer", "owner")

    def extra_context(self, request):
        month = timezone.localdate().replace(day=1)
        counts = services.planned_vs_actual([request.user.pk], month)[request.user.pk]
        return {"month_counts": counts, "month": month}


class ContactPlanFormView(ServiceFormView):
    model = ContactPlan
    permission = ADD
    form_class = PlanForm
    title = gettext_lazy("Plan a contact")

    def get_instance(self):
        return None

    def get_form(self, data=None, instance=None):
        form = self.form_class(data=data, user=self.request.user)
        if data is None:
            query = self.request.GET
            form.initial["planned_at"] = (timezone.localtime() + dt.timedelta(days=1)).replace(
                hour=10, minute=0, second=0, microsecond=0
            )
            if query.get("customer", "").isdigit():
                customer = (
                    Customer.objects.visible_to(self.request.user, ADD).filter(pk=int(query["customer"][:18])).first()
                )
                if customer is not None:
                    form.initial["customers"] = customer.cif
            if query.get("group", "").isdigit():
                form.initial["group"] = query["group"][:18]
            for name in ("purpose", "channel", "planned_at"):
                if query.get(name):
                    form.initial[name] = query[name][:200]
            if query.get("reminder", "").isdigit():
                form.initial["reminder"] = query["reminder"][:18]
        return form

    def perform(self, form, instance):
        planned = services.plan_contacts(
            self.request.user,
            form.customer_ids(),
            planned_at=form.cleaned_data["planned_at"],
            channel=form.cleaned_data["channel"],
            purpose=form.cleaned_data["purpose"],
            source=self.source_of(form),
        )
        if form.cleaned_data.get("reminder"):
            services.close_reminder_planned(self.request.user, form.cleaned_data["reminder"])
        messages.success(self.request, _("%(count)s contacts were planned.") % {"count": f"{planned:,}"})
        return None

    @staticmethod
    def source_of(form) -> str:
        if form.cleaned_data.get("reminder"):
            return ContactPlan.Source.REMINDER
        return ContactPlan.Source.MANUAL if form.cleaned_data.get("customers") else ContactPlan.Source.BULK

    def success_url(self, obj):
        return reverse("contactplans:plan_list") + "?mine=true&status=planned"


class ContactPlanDetailView(ObjectDetailView):
    """A plan; its RM completes it by recording the contact, or cancels it."""

    model = ContactPlan
    permission = VIEW
    template_name = "contactplans/plan_detail.html"

    def can_act(self, request, plan) -> bool:
        return (
            plan.status == ContactPlan.Status.PLANNED
            and plan.owner_id == request.user.pk
            and has_permission(request.user, ADD)
            and Customer.objects.visible_to(request.user, ADD).filter(pk=plan.customer_id).exists()
        )

    def extra_context(self, request, obj, form=None):
        can_act = self.can_act(request, obj)
        if form is None and can_act:
            form = CompleteForm(
                user=request.user,
                channel=obj.channel,
                initial={"occurred_at": timezone.localtime(), "outcome": CompleteForm.default_outcome(obj.channel)},
            )
        return {"can_act": can_act, "complete_form": form}

    def post(self, request, *args, **kwargs):
        plan = self.get_object()
        if not self.can_act(request, plan):
            raise PermissionDenied(_("You may not change this contact plan."))
        if "cancel" in request.POST:
            services.cancel_plan(request.user, plan)
            messages.success(request, _("The contact plan was cancelled."))
            return HttpResponseRedirect(plan.get_absolute_url())
        form = CompleteForm(data=request.POST, user=request.user, channel=plan.channel)
        if form.is_valid():
            data = form.cleaned_data
            minutes = data.get("duration_minutes")
            try:
                services.complete_plan(
                    request.user,
                    plan,
                    outcome=data["outcome"],
                    occurred_at=data["occurred_at"],
                    duration_seconds=minutes * 60 if minutes is not None else None,
                    summary=data["summary"],
                    next_step=data["next_step"],
                )
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                messages.success(request, _("The contact was recorded and the plan completed."))
                return HttpResponseRedirect(plan.get_absolute_url())
        context = {"object": plan, "title": str(plan), **self.extra_context(request, plan, form)}
        return TemplateResponse(request, self.template_name, context)


class KeyCustomerListView(PermissionRequiredMixin, View):
    """My key customers (CUS-14) with the date each must be contacted by; overdue first. A
    supervisor opens an RM's (``?rm=``) among the employees in their scope."""

    permission = KEY_VIEW

    def get(self, request):
        from steward.org.models import Employee

        owner = request.user
        if request.GET.get("rm", "").isdigit():
            owner = Employee.objects.visible_to(request.user, KEY_VIEW).filter(pk=int(request.GET["rm"][:18])).first()
            if owner is None:
                owner = request.user
        warnings = services.key_customer_warnings(request.user, owner)
        warnings.sort(key=lambda w: (not w.is_overdue, w.due_by))
        context = {
            "title": _("Key customers"),
            "owner": owner,
            "warnings": warnings,
            "overdue_count": sum(w.is_overdue for w in warnings),
            "can_flag": has_permission(request.user, KEY_FLAG) and owner == request.user,
        }
        return TemplateResponse(request, "contactplans/key_list.html", context)


class KeyFlagView(PermissionRequiredMixin, View):
    permission = KEY_FLAG
    http_method_names = ["post"]

    def post(self, request):
        number = request.POST.get("cif", "").strip()[:32]
        customer = Customer.objects.visible_to(request.user, KEY_FLAG).filter(cif=number).first()
        if customer is None:
            messages.error(request, _("No customer you may serve has the number %(numbers)s.") % {"numbers": number})
        else:
            flagged = request.POST.get("flagged") != "0"
            services.flag_key_customer(request.user, customer, flagged=flagged, note=request.POST.get("note", ""))
            messages.success(
                request,
                _("%(customer)s is a key customer now.") % {"customer": customer.name}
                if flagged
                else _("%(customer)s is no longer flagged as a key customer.") % {"customer": customer.name},
            )
        return HttpResponseRedirect(reverse("contactplans:key_list"))
