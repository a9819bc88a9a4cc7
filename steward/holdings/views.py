import datetime as dt

from django.contrib import messages
from django.db import DatabaseError, transaction
from django.db.models import OuterRef, Subquery
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import View

from steward.access.services import has_permission
from steward.core.errors import DomainError
from steward.core.views import ObjectListView, PermissionRequiredMixin
from steward.customers.models import Customer
from steward.customers.sources import source_label
from steward.holdings import services
from steward.holdings.filters import (
    IntakeBatchFilterSet,
    ProductFilterSet,
    RejectedRowFilterSet,
    ReminderFilterSet,
    TransactionFilterSet,
)
from steward.holdings.intake import recover_dead_runs
from steward.holdings.models import (
    Account,
    DailyBalance,
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
    """My reminders: those raised for the user as the customer's owner, on customers they can see."""

    model = Reminder
    permission = "holdings.reminder:view"
    table_class = ReminderTable
    filterset_class = ReminderFilterSet
    select_related = ("customer",)
    title = _("My reminders")

    def get_queryset(self):
        return super().get_queryset().filter(owner=self.request.user, is_done=False)


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
