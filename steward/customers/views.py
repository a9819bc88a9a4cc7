import contextlib

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from steward.access.services import has_permission
from steward.basedata.services import code_label
from steward.core.errors import DomainError
from steward.core.views import (
    ObjectActionView,
    ObjectDetailView,
    ObjectListView,
    PermissionRequiredMixin,
    ServiceFormView,
    index_walk_page_rows,
    may_open,
)
from steward.customers import services
from steward.customers.filters import CustomerFilterSet
from steward.customers.forms import (
    AllocationRequestForm,
    AssignForm,
    CoManagerForm,
    ConfidentialGrantForm,
    CustomerForm,
    NoteForm,
    RelationForm,
    TransferRequestForm,
)
from steward.customers.listing import aum_ordered_page
from steward.customers.mentions import mention_candidates
from steward.customers.models import (
    CoManager,
    CorporateParty,
    Customer,
    CustomerNote,
    Household,
    HouseholdMember,
    OwnershipChange,
)
from steward.customers.permissions import TAB_PERMISSIONS, VIEW
from steward.customers.tables import CustomerTable
from steward.holdings.figures import asset_trend, aum_by_category
from steward.holdings.views import CustomerAccountsView, CustomerTransactionsView
from steward.org.models import Employee

TAB_LABELS = {
    "profile": gettext_lazy("Profile"),
    "assets": gettext_lazy("Assets"),
    "trend": gettext_lazy("Asset trend"),
    "transactions": gettext_lazy("Transactions"),
    "relations": gettext_lazy("Relations"),
    "notes": gettext_lazy("Notes"),
    "service": gettext_lazy("Service history"),
    "ownership": gettext_lazy("Ownership history"),
    "household": gettext_lazy("Household"),
    "tags": gettext_lazy("Tags and groups"),
}


class CustomerListView(ObjectListView):
    model = Customer
    permission = VIEW
    table_class = CustomerTable
    filterset_class = CustomerFilterSet
    select_related = ("owner", "org", "figures")
    export_permission = "customers.customer:export"
    add_url_name = "customers:customer_add"
    add_permission = "customers.customer:add"
    # A second permission the page needs besides the data permission (the org-wide lists).
    page_permission: str | None = None
    # Tick customers, then add them to a group or tag them (registered by steward.tags).
    bulk_actions = ("tags.group_add", "tags.group_remove", "tags.tag_add", "tags.tag_remove")

    def empty_action(self, request):
        """A search that finds no customer offers to keep the person as a potential customer (LEAD-12)."""
        from urllib.parse import urlencode

        query = (request.GET.get("q") or "").strip()
        if not query or not has_permission(request.user, "leads.lead:add"):
            return None
        return (
            _("Save “%(text)s” as a potential customer") % {"text": query[:40]},
            reverse("leads:add") + "?" + urlencode({"q": query[:100]}),
        )

    def table_queryset(self, queryset):
        """A quick search joins the figures row inner (every customer has one: the signal and the
        intake create it, so the rows are the same). Then, when a name prefix matches many customers
        (a surname: 10,000 of 1,000,000), PostgreSQL may read the page sorted by AUM down the AUM
        index instead of looking up every match's figures (79 → 11 ms). Lists without a search keep
        the outer join of select_related: an RM's book is best read from the owner index, and the
        planner, misjudging how an owner's customers spread over the AUM index, chose the index walk
        there (353 ms instead of 17)."""
        queryset = queryset.only(*CustomerTable.fields_read())
        if self.request.GET.get("q", "").strip():
            return queryset.filter(figures__isnull=False)
        return queryset

    def page_rows(self, table):
        """A list in AUM order: a big one reads its page down the AUM index
        (steward.customers.listing), a small one among the keys its count found."""
        order = tuple(table.order_by or ())
        if order not in (("aum",), ("-aum",)):
            return None
        descending = order[0] == "-aum"
        return index_walk_page_rows(
            table,
            lambda paginator, rows, bottom, top: aum_ordered_page(
                paginator.count_queryset, rows, descending=descending, bottom=bottom, top=top
            ),
        )

    def dispatch(self, request, *args, **kwargs):
        if (
            request.user.is_authenticated
            and self.page_permission
            and not has_permission(request.user, self.page_permission)
        ):
            raise PermissionDenied(_("You do not have permission to open this page."))
        return super().dispatch(request, *args, **kwargs)


class MyCustomersView(CustomerListView):
    title = gettext_lazy("My customers")

    def get_queryset(self):
        return super().get_queryset().filter(owner=self.request.user)


class RelatedCustomersView(CustomerListView):
    title = gettext_lazy("Related customers")

    def get_queryset(self):
        managed = CoManager.objects.filter(user=self.request.user).values("customer_id")
        return super().get_queryset().filter(pk__in=managed)


class OrgCustomersView(CustomerListView):
    title = gettext_lazy("Org customers")
    page_permission = "customers.orglist:view"


class UnassignedCustomersView(CustomerListView):
    title = gettext_lazy("Unassigned customers")
    template_name = "customers/unassigned_list.html"

    def get_queryset(self):
        return services.unassigned_for(self.request.user).select_related("org", "figures")

    def extra_context(self, request):
        return {
            "can_assign": has_permission(request.user, "customers.customer:assign"),
            "can_request_allocation": may_open(request.user, "customers:allocation_request"),
        }


class CustomerDetailView(ObjectDetailView):
    """The 360° view (CUS-02): a header, and the tabs the user's roles grant, each loaded by htmx."""

    model = Customer
    permission = VIEW
    template_name = "customers/customer_detail.html"
    select_related = ("owner", "org", "figures")

    def extra_context(self, request, obj):
        user = request.user
        tabs = [(key, TAB_LABELS[key]) for key, name in TAB_PERMISSIONS.items() if has_permission(user, name)]
        selected = request.GET.get("tab")
        if selected not in dict(tabs):
            selected = tabs[0][0] if tabs else None
        return {
            "tabs": tabs,
            "selected_tab": selected,
            "age": obj.age_on(timezone.localdate()),
            "risk_label": code_label("risk_level", obj.risk_level) if obj.risk_level else "",
            "can_change": has_permission(user, "customers.customer:change"),
            "can_confidential": has_permission(user, "customers.customer:confidential"),
            "can_transfer": has_permission(user, "customers.customer:transfer"),
            "can_merge": has_permission(user, "customers.customer:merge") and obj.status != Customer.Status.MERGED,
            "can_record_contact": _may_record_contact(user, obj),
            "tag_chips": _tag_chips(user, obj),
            **_merged_numbers(obj),
        }


SHOWN_ALIASES = 20


def _merged_numbers(customer) -> dict:
    """The customer numbers merged into `customer` (its aliases, CUS-12): whoever looks up an old
    number finds this customer, and the header says why."""
    numbers = list(customer.aliases.order_by("cif").values_list("cif", flat=True)[: SHOWN_ALIASES + 1])
    if len(numbers) <= SHOWN_ALIASES:
        return {"merged_numbers": numbers, "more_merged_numbers": 0}
    return {"merged_numbers": numbers[:SHOWN_ALIASES], "more_merged_numbers": customer.aliases.count() - SHOWN_ALIASES}


class CustomerTabView(ObjectDetailView):
    """One tab of the 360° view; its own permission is checked here, whatever the page showed."""

    model = Customer

    def dispatch(self, request, *args, **kwargs):
        tab = kwargs["tab"]
        if tab not in TAB_PERMISSIONS:
            raise Http404
        self.permission = TAB_PERMISSIONS[tab]
        self.template_name = f"customers/tabs/{tab}.html"
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return Customer.objects.visible_to(self.request.user, VIEW).select_related("owner", "org", "figures")

    def extra_context(self, request, obj):
        user = request.user
        tab = self.kwargs["tab"]
        context = {"tab": tab}
        if tab == "profile":
            context["labels"] = {
                name: code_label(table, getattr(obj, name)) if getattr(obj, name) else "—"
                for name, table in services.CODE_FIELDS.items()
            }
            context["age"] = obj.age_on(timezone.localdate())
            context["co_managers"] = [c.user for c in obj.co_managers.select_related("user")]
            context["can_change"] = has_permission(user, "customers.customer:change")
            context["can_assign"] = has_permission(user, "customers.customer:assign")
        elif tab == "notes":
            context.update(notes_tab_context(request, obj))
        elif tab == "relations":
            context["relations"] = services.relations_for(user, obj)
            context["can_change"] = has_permission(user, "customers.customer:change")
            context["form"] = RelationForm(user=user)
        elif tab == "household":
            household = services.household_of(user, obj)
            context["household"] = household
            if household is not None:
                context["members"], context["total_aum"] = services.household_view(user, household)
            context["can_change"] = has_permission(user, "customers.customer:change")
        elif tab == "assets":
            context.update(_assets_context(request, obj))
        elif tab == "trend":
            trend = asset_trend(obj)
            context["trend"] = trend
            context["chart"] = {
                "kind": "trend",
                "labels": {"aum": str(_("AUM")), "average": str(_("average daily assets (month)"))},
                "daily": trend["daily"],
                "monthly": trend["monthly"],
            }
        elif tab == "transactions":
            context.update(_transactions_context(request, obj))
        elif tab == "tags":
            from steward.tags.views import tags_tab_context

            context.update(tags_tab_context(request, obj))
        elif tab == "service":
            context["events"] = services.service_history(user, obj)
            context["can_record_contact"] = _may_record_contact(user, obj)
        elif tab == "ownership":
            context["changes"] = OwnershipChange.objects.filter(customer=obj).select_related(
                "from_owner", "to_owner", "changed_by"
            )
        return context


def _may_record_contact(user, customer) -> bool:
    """The "Record a contact" button (SVC-05): for whoever may open the contact form."""
    return customer.status != Customer.Status.MERGED and may_open(user, "interactions:add")


def _tag_chips(user, customer) -> list:
    """The customer's active tags for the header (empty without the tags app or its permission)."""
    try:
        from steward.tags.services import tags_of
    except ImportError:
        return []
    return [link.tag for link in tags_of(user, customer)]


def _assets_context(request, customer) -> dict:
    """The assets tab: the holdings view's accounts (latest balance), grouped by product category,
    and the AUM-by-category pie."""
    context = {"can_view_accounts": has_permission(request.user, "holdings.account:view"), "accounts": []}
    if context["can_view_accounts"]:
        part = CustomerAccountsView()
        part.setup(request, pk=customer.pk)
        with contextlib.suppress(Http404):  # not visible under the holdings permission: no accounts
            context["accounts"] = list(part.get_queryset().order_by("product__category__path", "-balance", "number"))
    categories = aum_by_category(customer)
    context["categories"] = categories
    context["chart"] = {
        "kind": "pie",
        "title": str(_("AUM by category")),
        "data": [{"name": str(category), "value": amount} for category, amount in categories],
    }
    return context


def _transactions_context(request, customer) -> dict:
    """The transactions tab: the first page of the holdings transactions view, rendered in place;
    its paging, sorting and filter then talk to that view (customers/charts.js routes them)."""
    if not has_permission(request.user, "holdings.transaction:view"):
        return {"can_view_transactions": False}
    try:
        response = CustomerTransactionsView.as_view()(request, pk=customer.pk)
    except Http404:
        return {"can_view_transactions": False}
    data = response.context_data
    return {"can_view_transactions": True, "table": data["table"], "filterset": data["filterset"]}


class CustomerCreateView(ServiceFormView):
    model = Customer
    permission = "customers.customer:add"
    form_class = CustomerForm
    title = gettext_lazy("New customer")
    success_message = gettext_lazy("The customer was created.")

    def perform(self, form, instance):
        data = dict(form.cleaned_data)
        with _linking_duplicates():
            return services.create_customer(
                self.request.user, cif=data.pop("cif"), org=data.pop("org"), owner=data.pop("owner"), **data
            )


class CustomerEditView(ServiceFormView):
    model = Customer
    permission = "customers.customer:change"
    form_class = CustomerForm
    success_message = gettext_lazy("The customer was saved.")

    def perform(self, form, instance):
        with _linking_duplicates():
            return services.update_customer(self.request.user, instance, **form.cleaned_data)


@contextlib.contextmanager
def _linking_duplicates():
    """An ID number of a customer the user may see: the form error links to that customer
    (the service leaves `existing` empty for one they may not see, and says nothing about it)."""
    try:
        yield
    except services.DuplicateIdNumber as error:
        if error.existing is None:
            raise
        message = format_html('<a href="{}">{}</a>', error.existing.get_absolute_url(), error.message)
        raise DomainError(message, field=error.field) from None


def _posted_id(request, name: str) -> int | None:
    """An object id posted in `name`: a whole number, else None (never a 500 on "abc" or "²")."""
    value = str(request.POST.get(name, "")).strip()
    if value.isascii() and value.isdigit() and len(value) <= 18:
        return int(value)
    return None


class SubscriptionView(ObjectActionView):
    model = Customer
    permission = "customers.customer:change"

    def act(self, request, obj):
        services.set_subscriptions(
            request.user,
            obj,
            sms="sms" in request.POST,
            phone="phone" in request.POST,
            email="email" in request.POST,
        )
        return _("The service subscriptions were saved.")


class ConfidentialView(ObjectActionView):
    model = Customer
    permission = "customers.customer:confidential"

    def act(self, request, obj):
        flag = request.POST.get("confidential") == "1"
        services.set_confidential(request.user, obj, flag)
        return _("The customer is now confidential.") if flag else _("The customer is no longer confidential.")


class ConfidentialGrantsView(ObjectDetailView):
    """Who may see a confidential customer (CUS-10): the grants, with their end dates; grant and revoke."""

    model = Customer
    permission = services.CONFIDENTIAL
    template_name = "customers/confidential_grants.html"

    def extra_context(self, request, obj):
        return {
            "title": _("Access to %(customer)s") % {"customer": obj.name},
            "grants": list(services.confidential_grants(request.user, obj)),
            "form": ConfidentialGrantForm(user=request.user),
            "today": timezone.localdate(),
        }


def _grants_url(customer) -> str:
    return reverse("customers:customer_confidential_grants", args=[customer.pk])


class ConfidentialGrantView(ObjectActionView):
    """Grant (or re-date) an employee's access to a confidential customer."""

    model = Customer
    permission = services.CONFIDENTIAL

    def act(self, request, obj):
        form = ConfidentialGrantForm(data=request.POST, user=request.user)
        if not form.is_valid():
            raise DomainError(" ".join(str(e) for errors in form.errors.values() for e in errors))
        employee = Employee.objects.filter(employee_no=form.cleaned_data["employee_no"].strip()).first()
        if employee is None:
            raise DomainError(_("No employee has this number."))
        expires_on = form.cleaned_data["expires_on"]
        services.grant_confidential_access(request.user, obj, employee, expires_on=expires_on)
        if expires_on:
            return _("%(user)s may see this customer until %(date)s.") % {
                "user": employee,
                "date": date_format(expires_on, "SHORT_DATE_FORMAT"),
            }
        return _("%(user)s may now see this customer.") % {"user": employee}


class ConfidentialRevokeView(ObjectActionView):
    """Revoke an employee's access grant (posted: user=<employee id>)."""

    model = Customer
    permission = services.CONFIDENTIAL

    def act(self, request, obj):
        pk = _posted_id(request, "user")
        grant = obj.confidential_grants.filter(user_id=pk).select_related("user").first() if pk else None
        if grant is None:
            raise DomainError(_("Choose one of this customer's access grants."))
        services.revoke_confidential_access(request.user, obj, grant.user)
        return _("%(user)s no longer sees this customer.") % {"user": grant.user}

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        # Who revoked their own grant no longer sees the customer: back to their list, not to a 404.
        if not self.get_queryset().filter(pk=self.kwargs["pk"]).exists():
            return HttpResponseRedirect(reverse("customers:my_customers"))
        return response


def notes_tab_context(request, customer, form=None) -> dict:
    """The notes tab: the notes the user may read (mentions highlighted, SVC-12) and the form."""
    user = request.user
    return {
        "tab": "notes",
        "object": customer,
        "notes": services.notes_for(user, customer).prefetch_related("mentions__user"),
        "can_add": has_permission(user, "customers.note:add"),
        "form": form or NoteForm(user=user),
    }


class NoteAddView(ObjectActionView):
    """Write a note. Posted by htmx, the tab comes back: refreshed, or with the form kept and
    its error shown (422) — an @mention of a colleague who cannot see the customer, a mention
    in a private note (SVC-12). A plain post redirects with a message."""

    model = Customer
    permission = "customers.note:add"

    def get_queryset(self):
        return Customer.objects.visible_to(self.request.user, VIEW)

    def act(self, request, obj):
        form = NoteForm(data=request.POST, user=request.user)
        if not form.is_valid():
            raise DomainError(_("Write something in the note."))
        services.add_note(request.user, obj, form.cleaned_data["body"], private=form.cleaned_data["private"])
        return _("The note was saved.")

    def post(self, request, *args, **kwargs):
        if not request.headers.get("HX-Request") or not has_permission(request.user, TAB_PERMISSIONS["notes"]):
            return super().post(request, *args, **kwargs)
        obj = self.get_object()
        form = NoteForm(data=request.POST, user=request.user)
        if form.is_valid():
            try:
                services.add_note(request.user, obj, form.cleaned_data["body"], private=form.cleaned_data["private"])
            except DomainError as error:
                form.add_error("body", error.message)
            else:
                context = notes_tab_context(request, obj)
                context["saved"] = True
                return TemplateResponse(request, "customers/tabs/notes.html", context)
        return TemplateResponse(request, "customers/tabs/notes.html", notes_tab_context(request, obj, form), status=422)


class MentionCandidatesView(ObjectDetailView):
    """The colleagues who may be @mentioned in a note on the customer (those who can see it),
    filtered by ?q= (employee number or name); an htmx fragment under the note form (SVC-12)."""

    model = Customer
    permission = "customers.note:add"
    template_name = "customers/_mention_candidates.html"

    def get_queryset(self):
        return Customer.objects.visible_to(self.request.user, VIEW).select_related("owner", "org")

    def extra_context(self, request, obj):
        return {"candidates": mention_candidates(request.user, obj, request.GET.get("q", ""))}


SHARED_NOTE_FILTERS = {
    "all": gettext_lazy("On my customers or mentioning me"),
    "co-managed": gettext_lazy("On customers I co-manage"),
    "mentions": gettext_lazy("Mentioning me"),
}


class SharedNotesView(PermissionRequiredMixin, View):
    """Team notes (SVC-12): colleagues' public notes on the customers I own or co-manage, and the
    notes that mention me — never anyone's private note, only customers in my data scope."""

    permission = "customers.tab:notes"
    per_page = 25

    def get(self, request):
        from django.core.paginator import Paginator

        show = request.GET.get("show", "all")
        if show not in SHARED_NOTE_FILTERS:
            show = "all"
        notes = services.shared_notes_for(request.user, show)
        page = Paginator(notes, self.per_page).get_page(request.GET.get("page"))
        context = {
            "title": _("Team notes"),
            "page": page,
            "notes": page.object_list,
            "show": show,
            "filters": list(SHARED_NOTE_FILTERS.items()),
        }
        return TemplateResponse(request, "customers/shared_notes.html", context)


class NoteDeleteView(ObjectActionView):
    model = CustomerNote
    permission = "customers.note:add"

    def get_queryset(self):
        visible = Customer.objects.visible_to(self.request.user, VIEW).values("pk")
        return CustomerNote.objects.readable_by(self.request.user).filter(customer__in=visible)

    def act(self, request, obj):
        services.delete_note(request.user, obj)
        return _("The note was deleted.")


class RelationAddView(ObjectActionView):
    model = Customer
    permission = "customers.customer:change"

    def act(self, request, obj):
        form = RelationForm(data=request.POST, user=request.user)
        if not form.is_valid():
            raise DomainError(_("Check the relation's fields."))
        data = form.cleaned_data
        related = corporate = None
        if data["related_cif"]:
            related = Customer.objects.visible_to(request.user, VIEW).filter(cif=data["related_cif"].strip()).first()
            if related is None:
                raise DomainError(_("No customer you can see has this number."))
        elif data["corporate_code"]:
            corporate = CorporateParty.objects.filter(credit_code=data["corporate_code"].strip().upper()).first()
            if corporate is None:
                corporate = services.create_corporate_party(
                    request.user, name=data["corporate_name"], credit_code=data["corporate_code"]
                )
        services.add_relation(
            request.user, obj, data["kind"], related_customer=related, corporate=corporate, note=data["note"]
        )
        return _("The relation was added.")


class RelationRemoveView(ObjectActionView):
    """Remove one of the relations the customer's relations tab shows (posted: relation=<id>), CUS-15."""

    model = Customer
    permission = "customers.customer:change"

    def act(self, request, obj):
        pk = _posted_id(request, "relation")
        relation = services.relations_for(request.user, obj).filter(pk=pk).first() if pk else None
        if relation is None:
            raise DomainError(_("Choose one of this customer's relations."))
        services.remove_relation(request.user, relation)
        return _("The relation was removed.")


class TransferRequestView(ServiceFormView):
    model = Customer
    permission = "customers.customer:transfer"
    form_class = TransferRequestForm
    title = gettext_lazy("Request a customer transfer")
    application_type = "customers.transfer"

    def get_form(self, data=None, instance=None):
        form = self.form_class(data=data, user=self.request.user)
        if data is None and "customers" in self.request.GET:
            form.initial["customers"] = self.request.GET["customers"]
        return form

    def payload(self, data) -> dict:
        return {"customers": data["customers"], "new_owner": data["new_owner"].employee_no}

    def perform(self, form, instance):
        from steward.approvals.services import submit

        data = form.cleaned_data
        return submit(self.request.user, self.application_type, reason=data["reason"], payload=self.payload(data))


class AllocationRequestView(TransferRequestView):
    form_class = AllocationRequestForm
    title = gettext_lazy("Request unassigned customers")
    application_type = "customers.allocation"

    def payload(self, data) -> dict:
        return {"customers": data["customers"]}


class AssignView(TransferRequestView):
    permission = "customers.customer:assign"
    form_class = AssignForm
    title = gettext_lazy("Assign customers")
    success_message = gettext_lazy("The customers were assigned.")

    def perform(self, form, instance):
        from steward.customers.approvals import _numbers

        data = form.cleaned_data
        customers = services.resolve_customers(self.request.user, _numbers(data["customers"]), self.permission)
        services.assign_owner(self.request.user, customers, data["new_owner"], reason=data["reason"])
        return data["new_owner"]

    def success_url(self, obj):
        return reverse("customers:org_customers")


class CoManagerView(ObjectActionView):
    """Add (employee_no) or remove (remove=<user id>) a co-manager."""

    model = Customer
    permission = "customers.customer:assign"

    def act(self, request, obj):
        if "remove" in request.POST:
            pk = _posted_id(request, "remove")
            co_manager = obj.co_managers.filter(user_id=pk).select_related("user").first() if pk else None
            if co_manager is None:
                raise DomainError(_("Co-manager: choose one of this customer's co-managers."), field="remove")
            services.remove_co_manager(request.user, obj, co_manager.user)
            return _("%(user)s no longer co-manages this customer.") % {"user": co_manager.user}
        form = CoManagerForm(data=request.POST, user=request.user)
        employee = form.is_valid() and Employee.objects.filter(employee_no=form.cleaned_data["employee_no"]).first()
        if not employee:
            raise DomainError(_("Co-manager: no employee has this number."), field="employee_no")
        services.add_co_manager(request.user, obj, employee)
        return _("%(user)s now co-manages this customer.") % {"user": employee}


# ---------------------------------------------------------------- households (CUS-08)


class HouseholdDetailView(ObjectDetailView):
    """A household: the members the viewer may see (masked identity) and their AUM total."""

    model = Household
    permission = VIEW
    template_name = "customers/household_detail.html"

    def extra_context(self, request, obj):
        members, total = services.household_view(request.user, obj)
        return {
            "members": members,
            "total_aum": total,
            "roles": HouseholdMember.Role.choices[1:],
            "can_change": has_permission(request.user, "customers.customer:change"),
        }


class HouseholdCreateView(ObjectActionView):
    """From a customer's household tab: start a household with this customer as its head."""

    model = Customer
    permission = "customers.customer:change"

    def act(self, request, obj):
        services.create_household(request.user, obj, name=request.POST.get("name", ""))
        return _("The household was created.")


class HouseholdMemberView(ObjectActionView):
    """Add (cif + role), remove (remove=<customer id>) or make head (head=<customer id>)."""

    model = Household
    permission = "customers.customer:change"

    def act(self, request, obj):
        visible = Customer.objects.visible_to(request.user, self.permission)
        if request.POST.get("remove") or request.POST.get("head"):
            pk = _posted_id(request, "remove" if request.POST.get("remove") else "head")
            customer = visible.filter(pk=pk).first() if pk else None
            if customer is None:
                raise DomainError(_("No customer you can see has this number."))
            if request.POST.get("remove"):
                services.remove_household_member(request.user, obj, customer)
                return _("%(customer)s left the household.") % {"customer": customer.name}
            services.set_household_head(request.user, obj, customer)
            return _("%(customer)s is now the head of the household.") % {"customer": customer.name}
        customer = visible.filter(cif=request.POST.get("cif", "").strip()).first()
        if customer is None:
            raise DomainError(_("No customer you can see has this number."))
        services.add_household_member(request.user, obj, customer, request.POST.get("role", "other"))
        return _("%(customer)s joined the household.") % {"customer": customer.name}


# ---------------------------------------------------------------- merging duplicates (CUS-12)
# In steward/customers/merge_views.py.


# ---------------------------------------------------------------- import from Excel (CUS-13)


class ImportTemplateView(PermissionRequiredMixin, View):
    permission = "customers.customer:import"

    def get(self, request, *args, **kwargs):
        from django.http import HttpResponse

        from steward.customers.importing import template_workbook

        response = HttpResponse(
            template_workbook(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = 'attachment; filename="customers-template.xlsx"'
        return response


class ImportView(PermissionRequiredMixin, View):
    """Upload → a background run on the shared import pipeline (steward/imports), whose page shows
    its progress and the rejected rows. "Check" never saves; "Import" saves only a clean file;
    "Import the good rows" needs the confirmation box ticked."""

    permission = "customers.customer:import"
    template_name = "customers/import.html"

    def render(self, request, status=200, **context):
        from steward.imports.reading import max_bytes
        from steward.imports.services import runs_visible_to

        context.setdefault("title", _("Import customers"))
        context["max_megabytes"] = f"{max_bytes() / 1_048_576:,.0f}"
        context["recent_runs"] = list(
            runs_visible_to(request.user).filter(kind="customers", requested_by=request.user)[:10]
        )
        return TemplateResponse(request, self.template_name, context, status=status)

    def get(self, request, *args, **kwargs):
        return self.render(request)

    def post(self, request, *args, **kwargs):
        from django.http import HttpResponseRedirect

        from steward.imports.services import start_import

        action = request.POST.get("action", "check")
        try:
            run = start_import(
                request.user,
                "customers",
                request.FILES.get("file"),
                mode=action,
                confirmed=request.POST.get("confirm") == "1",
            )
        except DomainError as error:
            return self.render(request, status=400, error=error.message)
        return HttpResponseRedirect(run.get_absolute_url())
