from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from steward.access.services import has_permission
from steward.core.views import ObjectDetailView, ObjectListView, ServiceFormView
from steward.customers.models import Customer
from steward.interactions import services
from steward.interactions.filters import CallFilterSet, InteractionFilterSet
from steward.interactions.forms import InteractionForm
from steward.interactions.models import CallRecord, Interaction
from steward.interactions.permissions import ADD, CALL_VIEW, EXPORT, VIEW
from steward.interactions.tables import CallTable, InteractionTable


class InteractionListView(ObjectListView):
    """Contacts with the customers in the user's scope (SVC-05), newest first."""

    model = Interaction
    permission = VIEW
    table_class = InteractionTable
    filterset_class = InteractionFilterSet
    select_related = ("customer", "employee")
    title = gettext_lazy("Contacts")
    export_permission = EXPORT
    add_url_name = "interactions:add"
    add_permission = ADD


class InteractionDetailView(ObjectDetailView):
    model = Interaction
    permission = VIEW
    template_name = "interactions/interaction_detail.html"
    select_related = ("customer", "employee", "created_by")

    def extra_context(self, request, obj):
        duration = ""
        if obj.duration_seconds is not None:
            minutes, seconds = divmod(obj.duration_seconds, 60)
            duration = _("%(minutes)d min %(seconds)d s") % {"minutes": minutes, "seconds": seconds}
        return {"can_add": has_permission(request.user, ADD), "duration": duration}


class InteractionCreateView(ServiceFormView):
    """Recording a contact by hand; opened from a customer's 360° view (?customer=<id>) the
    customer is filled in and the user goes back there after saving."""

    model = Interaction
    permission = ADD
    form_class = InteractionForm
    title = gettext_lazy("Record a contact")
    success_message = gettext_lazy("The contact was recorded.")

    def prefilled_customer(self):
        value = self.request.GET.get("customer", "")
        if not (value.isascii() and value.isdigit() and len(value) <= 18):
            return None
        return (
            Customer.objects.visible_to(self.request.user, ADD).filter(pk=int(value)).only("pk", "cif", "name").first()
        )

    def get_form(self, data=None, instance=None):
        customer = self.prefilled_customer() if data is None else None
        form = self.form_class(data=data, instance=instance, user=self.request.user, customer=customer)
        if data is None:
            reminder = self.request.GET.get("reminder", "")
            if reminder.isascii() and reminder.isdigit() and len(reminder) <= 18:
                form.initial["reminder"] = reminder
        return form

    def perform(self, form, instance):
        data = form.cleaned_data
        customer = services.customer_by_number(self.request.user, data["customer"])
        minutes = data.get("duration_minutes")
        self.return_to_customer = data.get("return_to") == "customer"
        interaction = services.record_interaction(
            self.request.user,
            customer,
            channel=data["channel"],
            direction=data["direction"],
            occurred_at=data["occurred_at"],
            duration_seconds=minutes * 60 if minutes is not None else None,
            outcome=data["outcome"],
            summary=data.get("summary", ""),
            next_step=data.get("next_step", ""),
        )
        if data.get("reminder"):
            from steward.holdings.reminders import close_reminder_handled

            close_reminder_handled(self.request.user, data["reminder"])
        return interaction

    def success_url(self, obj) -> str:
        if getattr(self, "return_to_customer", False):
            return obj.customer.get_absolute_url() + "?tab=service"
        return obj.get_absolute_url()


class CallListView(ObjectListView):
    """The call centre's calls in the user's scope (SVC-05, INT-05), newest first; filtered by day and
    status it is the end-of-day report of the calls not matched, with the reason and the masked
    number. Above the table, the chosen day's calls not matched, by reason."""

    model = CallRecord
    permission = CALL_VIEW
    table_class = CallTable
    filterset_class = CallFilterSet
    select_related = ("customer", "employee")
    title = gettext_lazy("Call centre calls")
    template_name = "interactions/call_list.html"

    def extra_context(self, request) -> dict:
        import datetime as dt

        from django.utils import timezone

        from steward.interactions.calls import unmatched_summary

        try:
            day = dt.date.fromisoformat(request.GET.get("data_date", ""))
        except ValueError:
            day = timezone.localdate()
        counts = unmatched_summary(request.user, CALL_VIEW, day)
        reasons = [(value, label, counts.get(value, 0)) for value, label in CallRecord.Reason.choices if value]
        return {"day": day, "reasons": reasons}
