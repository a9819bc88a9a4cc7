import datetime as dt

from django.contrib import messages
from django.db import DatabaseError, transaction
from django.db.models import OuterRef, Subquery
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views import View

from steward.access.services import has_permission
from steward.core.errors import DomainError
from steward.core.views import (
    BulkAction,
    ObjectActionView,
    ObjectDetailView,
    ObjectListView,
    PermissionRequiredMixin,
    ServiceFormView,
    bulk_selection,
    register_bulk_action,
    safe_next,
)
from steward.customers.models import Customer
from steward.customers.sources import source_label
from steward.holdings import reminders, services
from steward.holdings.filters import (
    ImportantDateFilterSet,
    IntakeBatchFilterSet,
    ProductFilterSet,
    RejectedRowFilterSet,
    ReminderFilterSet,
    TransactionFilterSet,
)
from steward.holdings.forms import ImportantDateForm, ReminderActForm
from steward.holdings.intake import recover_dead_runs
from steward.holdings.models import (
    Account,
    DailyBalance,
    ImportantDate,
    IntakeBatch,
    IntakeRejectedRow,
    Product,
    Reminder,
    Transaction,
)
from steward.holdings.progress import read_progress
from steward.holdings.reasons import shown_reason
from steward.holdings.tables import (
    AccountTable,
    AllRejectedRowTable,
    ImportantDateTable,
    IntakeBatchTable,
    ProductTable,
    RejectedRowTable,
    ReminderTable,
    TransactionTable,
)


class ProductListView(ObjectListView):
    model = Product
    permission = "holdings.product:view"
    table_class = ProductTable
    filterset_class = ProductFilterSet
    select_related = ("category",)
    title = _("Products")


class ReminderListView(ObjectListView):
    """The reminder centre (SVC-03, DAT-05): the reminders on the customers I own now (or, filtered,
    on every customer of my data scope), open by default, with done / dismiss / snooze buttons for
    users who may act and a bulk action for the selected rows."""

    model = Reminder
    permission = reminders.VIEW
    table_class = ReminderTable
    filterset_class = ReminderFilterSet
    select_related = ("customer", "acted_by")
    title = _("Reminders")
    template_name = "holdings/reminder_list.html"
    bulk_actions = ("reminders_act",)

    def get_queryset(self):
        # The data scope, narrowed to my customers unless the filter asks for all of them.
        whose = "all" if self.request.GET.get("whose") == "all" else "mine"
        queryset = reminders.reminders_of(self.request.user, whose=whose, permission=self.permission)
        return queryset.select_related(*self.select_related)

    def build(self, request):
        filterset, table = super().build(request)
        table.can_act = has_permission(request.user, reminders.ACT)
        table.request = request
        table.next_url = request.get_full_path()
        return filterset, table

    def extra_context(self, request):
        return {
            "can_see_dates": has_permission(request.user, reminders.DATE_VIEW),
            "calendar_url": _calendar_url(request.user),
        }


def _calendar_url(user) -> str:
    """The calendar page, where the agenda app is installed and the user may open it."""
    from steward.core.views import may_open

    return reverse("agenda:calendar") if may_open(user, "agenda:calendar") else ""


class ReminderDetailView(ObjectDetailView):
    """One reminder: what, on whom, when, its state and who acted; the buttons to act on it."""

    model = Reminder
    permission = reminders.VIEW
    template_name = "holdings/reminder_detail.html"
    select_related = ("customer", "owner", "acted_by")

    def extra_context(self, request, obj):
        today = timezone.localdate()
        return {
            "title": f"{obj.get_kind_display()} · {obj.customer.name}",
            "state": obj.state_on(today),
            "shown_state": obj.shown_state(today),
            "can_act": has_permission(request.user, reminders.ACT),
            "next": obj.get_absolute_url(),
            "current_owner": obj.customer.owner,
            "plan_url": _plan_from_reminder(request.user, obj),
            "record_url": _record_from_reminder(request.user, obj),
        }


def _plan_from_reminder(user, reminder) -> str:
    """ "Plan a contact" on a reminder (SVC-01, SVC-03): the plan form filled in; "" when the user
    may not plan or the reminder is already handled."""
    from urllib.parse import urlencode

    from steward.core.views import may_open

    if reminder.state in (Reminder.State.DONE, Reminder.State.DISMISSED) or not may_open(user, "contactplans:plan_add"):
        return ""
    query = {"customer": reminder.customer_id, "reminder": reminder.pk, "purpose": reminder.get_kind_display()}
    return reverse("contactplans:plan_add") + "?" + urlencode(query)


def _record_from_reminder(user, reminder) -> str:
    """ "Record a contact" on a reminder (SVC-05): the contact form; saving it handles the reminder."""
    from steward.core.views import may_open

    if reminder.state in (Reminder.State.DONE, Reminder.State.DISMISSED) or not may_open(user, "interactions:add"):
        return ""
    from steward.interactions.calendar import record_from_reminder

    return record_from_reminder(reminder)


def _act_arguments(data, today) -> tuple[str, dt.date | None]:
    """(action, until) from a posted act form; a DomainError names what is wrong."""
    form = ReminderActForm(data)
    if not form.is_valid():
        field = next(iter(form.errors))
        raise DomainError(
            _("Choose an action: done, dismiss, snooze or open again.")
            if field == "action"
            else _("Give the date the reminder comes back as YYYY-MM-DD."),
            field,
        )
    action = form.cleaned_data["action"]
    until = None
    if action == "snooze":
        until = reminders.snooze_until(form.cleaned_data.get("snooze") or "", today, form.cleaned_data.get("until"))
    return action, until


ACT_MESSAGES = {
    "done": _("The reminder is done."),
    "dismiss": _("The reminder was dismissed."),
    "reopen": _("The reminder is open again."),
}


class ReminderActView(ObjectActionView):
    """POST a reminder's button: done, dismiss, snooze (1 day, 1 week or until a date), open again."""

    model = Reminder
    permission = reminders.ACT

    def act(self, request, obj):
        action, until = _act_arguments(request.POST, timezone.localdate())
        reminders.act_on_reminder(request.user, obj, action, until=until)
        if action == "snooze":
            return _("The reminder comes back on %(date)s.") % {"date": until.isoformat()}
        return ACT_MESSAGES[action]


BULK_TARGETS = {
    "done": ("done", None),
    "dismiss": ("dismiss", None),
    "snooze_1d": ("snooze", "1d"),
    "snooze_1w": ("snooze", "1w"),
}


def _bulk_targets(user, view):
    return [
        ("done", _("Mark done")),
        ("dismiss", _("Dismiss")),
        ("snooze_1d", _("Snooze one day")),
        ("snooze_1w", _("Snooze one week")),
    ]


register_bulk_action(
    BulkAction("reminders_act", _("Handle"), "holdings:reminder_bulk_act", reminders.ACT, _bulk_targets, "checks")
)


class ReminderBulkActView(PermissionRequiredMixin, View):
    """POST from the reminder centre's bar: the selected reminders (or every one the filter shows)
    done, dismissed or snoozed at once."""

    permission = reminders.ACT
    http_method_names = ["post"]

    def post(self, request):
        back = safe_next(request.POST.get("source", ""), reverse("holdings:reminder_list"))
        target = BULK_TARGETS.get(request.POST.get("target", ""))
        try:
            if target is None:
                raise DomainError(_("Choose what to do with the selected reminders."), "target")
            action, snooze = target
            today = timezone.localdate()
            until = reminders.snooze_until(snooze, today) if snooze else None
            count = reminders.act_on_reminders(request.user, bulk_selection(request, Reminder), action, until=until)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("%(count)s reminder(s) handled.") % {"count": count})
        return HttpResponseRedirect(back)


class ImportantDateListView(ObjectListView):
    """Customers' important dates (SVC-03): the dates their reminders come from."""

    model = ImportantDate
    permission = reminders.DATE_VIEW
    table_class = ImportantDateTable
    filterset_class = ImportantDateFilterSet
    select_related = ("customer", "created_by")
    title = _("Important dates")
    add_url_name = "holdings:important_date_add"
    add_permission = reminders.DATE_CHANGE


class ImportantDateFormView(ServiceFormView):
    """Enter or change a customer's important date (?customer=<id> fills the customer in)."""

    model = ImportantDate
    permission = reminders.DATE_CHANGE
    form_class = ImportantDateForm
    title = _("New important date")
    success_message = _("The important date was saved; its reminder comes before it.")
    template_name = "holdings/important_date_form.html"
    select_related = ("customer",)

    def get_form(self, data=None, instance=None):
        form = super().get_form(data=data, instance=instance)
        value = self.request.GET.get("customer", "")
        if instance is None and data is None and value.isascii() and value.isdigit() and len(value) <= 18:
            customer = Customer.objects.visible_to(self.request.user, self.permission).filter(pk=int(value)).first()
            if customer is not None:
                form.initial["customer_number"] = customer.cif
                form.fields["customer_number"].help_text = customer.name
        return form

    def extra_context(self, instance):
        if instance is None:
            return {}
        return {"delete_url": reverse("holdings:important_date_delete", args=[instance.pk])}

    def perform(self, form, instance):
        number = form.cleaned_data["customer_number"].strip()
        customer = Customer.objects.visible_to(self.request.user, self.permission).filter(cif=number).first()
        if customer is None:
            raise DomainError(_("No customer with this number in your data scope."), "customer_number")
        form.instance.customer = customer
        return reminders.save_important_date(self.request.user, form.instance)

    def success_url(self, obj):
        return reverse("holdings:important_date_list")


class ImportantDateDeleteView(ObjectActionView):
    model = ImportantDate
    permission = reminders.DATE_CHANGE

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        reminders.delete_important_date(request.user, obj)
        messages.success(request, _("The important date was removed with its reminders not acted on."))
        return HttpResponseRedirect(reverse("holdings:important_date_list"))


INTAKE_VIEW = "holdings.intake:view"
CONFIRM = "holdings.intake:confirm"
DROP_FOLDER_JOB = "holdings.load_drop_folder"
# Statuses that need an operator's eye: the file did not apply (or waits for a confirmation).
NEEDS_ATTENTION = ("refused", "failed", "held")
ATTENTION_SHOWN = 10


def intake_status(request) -> dict:
    """What the top of the Data intake page shows (DAT-01, issue 12 point 4): loads running now with
    their rows done / total, the drop-folder job's run, and the latest files that did not apply with
    their reason. Polled by htmx every 2 s while something runs."""
    from steward.jobs.models import Job, JobRun
    from steward.jobs.services import recover_stopped_runs_for_display

    try:  # a load whose process died reads failed, not running (a busy SQLite: the next look)
        with transaction.atomic():
            recover_dead_runs()
    except DatabaseError:
        pass
    batches = IntakeBatch.objects.visible_to(request.user, INTAKE_VIEW)
    running = list(batches.filter(status=IntakeBatch.Status.RUNNING).order_by("data_date", "source", "entity"))
    progress = read_progress((batch.source, batch.entity, batch.data_date) for batch in running)
    for batch in running:
        batch.progress = progress.get((batch.source, batch.entity, batch.data_date))
    attention = list(batches.filter(status__in=NEEDS_ATTENTION).order_by("-finished_at", "-pk")[:ATTENTION_SHOWN])
    for batch in attention:
        batch.reason = shown_reason(batch.error)
    # Held snapshots wait for an operator, a day and source at a time (services.confirm_held_day).
    held_days = [
        (source, source_label(source), data_date)
        for source, data_date in sorted(
            {(b.source, b.data_date) for b in batches.filter(status=IntakeBatch.Status.HELD, part="")},
            key=lambda key: (key[1], key[0]),
        )
    ]
    job = Job.objects.filter(key=DROP_FOLDER_JOB).first()
    job_run = None
    if job is not None:
        recover_stopped_runs_for_display(job)
        job.refresh_from_db(fields=["locked_until", "locked_by_run"])
        running_id = job.running_run_id()
        job_run = JobRun.objects.filter(pk=running_id).first() if running_id else None
    can_see_runs = has_permission(request.user, "jobs.job:view")
    return {
        "running_batches": running,
        "attention_batches": attention,
        "drop_job": job,
        "drop_job_run": job_run if can_see_runs else None,
        "can_run_drop_job": job is not None and has_permission(request.user, "jobs.job:run"),
        "held_days": held_days,
        "can_confirm": has_permission(request.user, CONFIRM),
        "polling": bool(running or job_run),
    }


class IntakeBatchListView(ObjectListView):
    """The Data intake page: loads running now (with progress), files refused, failed or held with
    their reason, and every batch (one file of one day from one source)."""

    model = IntakeBatch
    permission = INTAKE_VIEW
    table_class = IntakeBatchTable
    filterset_class = IntakeBatchFilterSet
    template_name = "holdings/intake.html"
    title = _("Data intake")

    def get(self, request, *args, **kwargs):
        if request.htmx and request.GET.get("panel") == "status":
            return TemplateResponse(request, "holdings/_intake_status.html", intake_status(request))
        return super().get(request, *args, **kwargs)

    def extra_context(self, request):
        return intake_status(request)


class ConfirmHeldDayView(PermissionRequiredMixin, View):
    """POST: apply the held snapshots of one source and data date (an operator checked the shrink)."""

    permission = CONFIRM

    def post(self, request):
        source = request.POST.get("source", "")
        try:
            data_date = dt.date.fromisoformat(request.POST.get("data_date", ""))
        except ValueError:
            messages.error(request, _("Give the data date as YYYY-MM-DD."))
            return HttpResponseRedirect(reverse("holdings:batch_list"))
        try:
            result = services.confirm_held_day(request.user, source=source, data_date=data_date)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            loaded = sum(1 for batch in result.batches if batch.status == IntakeBatch.Status.LOADED)
            messages.success(
                request,
                _("%(source)s %(date)s: %(count)s held file(s) applied.")
                % {"source": source_label(source), "date": data_date.isoformat(), "count": loaded},
            )
        return HttpResponseRedirect(reverse("holdings:batch_list"))


class RejectedRowListView(ObjectListView):
    """One file: its outcome and reason, and its rejected rows (line, reason, masked raw row)."""

    model = IntakeRejectedRow
    permission = INTAKE_VIEW
    table_class = RejectedRowTable
    template_name = "holdings/batch_detail.html"
    default_page_size = 50

    def get_queryset(self):
        self.batch = get_object_or_404(
            IntakeBatch.objects.visible_to(self.request.user, self.permission), pk=self.kwargs["pk"]
        )
        return IntakeRejectedRow.objects.visible_to(self.request.user, self.permission).filter(batch=self.batch)

    def table_key(self):
        return "holdings.batch_rejected_rows"

    def extra_context(self, request):
        return {
            "title": _("%(batch)s — rejected rows") % {"batch": self.batch.label},
            "batch": self.batch,
            "reason": shown_reason(self.batch.error),
        }


class AllRejectedRowListView(ObjectListView):
    """Every rejected row of every file, filterable by file, day, entity, source and reason."""

    model = IntakeRejectedRow
    permission = INTAKE_VIEW
    table_class = AllRejectedRowTable
    filterset_class = RejectedRowFilterSet
    select_related = ("batch",)
    title = _("Rejected rows")
    default_page_size = 50


class CustomerPartMixin:
    """A tab of one customer's 360° view: the customer must be visible under the same permission."""

    def get_queryset(self):
        self.customer = get_object_or_404(
            Customer.objects.visible_to(self.request.user, self.permission), pk=self.kwargs["pk"]
        )
        return super().get_queryset().filter(customer=self.customer)

    def table_key(self):
        return f"holdings.customer_{self.model._meta.model_name}"

    def extra_context(self, request):
        return {"title": f"{self.title} · {self.customer}", "customer": self.customer}


class CustomerAccountsView(CustomerPartMixin, ObjectListView):
    model = Account
    permission = "holdings.account:view"
    table_class = AccountTable
    select_related = ("product", "product__category")
    title = _("Accounts and holdings")

    def get_queryset(self):
        queryset = super().get_queryset()
        latest = DailyBalance.objects.filter(account=OuterRef("pk"), data_date=self.customer.figures.as_of)
        return queryset.annotate(balance=Subquery(latest.values("balance")[:1]))


class CustomerTransactionsView(CustomerPartMixin, ObjectListView):
    model = Transaction
    permission = "holdings.transaction:view"

    def list_url(self, request) -> str:
        # Also when embedded in the customer view's transactions tab.
        return reverse("holdings:customer_transactions", args=[self.kwargs["pk"]])

    table_class = TransactionTable
    filterset_class = TransactionFilterSet
    select_related = ("account", "account__product")
    title = _("Transactions")
