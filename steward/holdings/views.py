from django.db.models import OuterRef, Subquery
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from steward.core.views import ObjectListView
from steward.customers.models import Customer
from steward.holdings.filters import IntakeBatchFilterSet, ProductFilterSet, ReminderFilterSet, TransactionFilterSet
from steward.holdings.models import (
    Account,
    DailyBalance,
    IntakeBatch,
    IntakeRejectedRow,
    Product,
    Reminder,
    Transaction,
)
from steward.holdings.tables import (
    AccountTable,
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


class IntakeBatchListView(ObjectListView):
    model = IntakeBatch
    permission = "holdings.intake:view"
    table_class = IntakeBatchTable
    filterset_class = IntakeBatchFilterSet
    title = _("Data intake")


class RejectedRowListView(ObjectListView):
    model = IntakeRejectedRow
    permission = "holdings.intake:view"
    table_class = RejectedRowTable

    def get_queryset(self):
        self.batch = get_object_or_404(
            IntakeBatch.objects.visible_to(self.request.user, self.permission), pk=self.kwargs["pk"]
        )
        return IntakeRejectedRow.objects.visible_to(self.request.user, self.permission).filter(batch=self.batch)

    def extra_context(self, request):
        return {"title": _("Rejected rows of %(batch)s") % {"batch": self.batch}, "batch": self.batch}


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
