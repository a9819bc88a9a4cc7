"""Generic views every domain app builds on: list, detail, form (create/edit) and action.

Each view names the registered permission it needs; the queryset always starts from
``visible_to(user, permission)``, so a record outside the data scope is a 404 and a
missing permission is a 403 — whatever the template showed.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.http import HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django_tables2 import RequestConfig
from django_tables2.rows import BoundRows

from steward.access.services import has_permission
from steward.core.counting import ListCount, cached_count, count_rows, exact_count_limit
from steward.core.errors import DomainError
from steward.core.export import table_to_xlsx

MAX_PAGE_SIZE = 200


class CountedPage(Page):
    def has_next(self) -> bool:
        # Under an estimated count a page with fewer rows than a page is the real last one.
        if self.paginator.count_is_estimate and len(self.object_list) < self.paginator.per_page:
            return False
        return super().has_next()


def index_walk_page_rows(table, big_page):
    """`ObjectListView.page_rows` for a list that reads a big list's page down an index in its order
    (steward.customers.listing, steward.leads.listing): `big_page(paginator, rows, bottom, top)` gets
    the paginator (its `count_queryset` is the list's filtered queryset) and the table's rows query.
    A list counted exactly can still be big (its last page asks for the exact count): it walks too. A small list (the bounded count found
    its keys: a surname and a birthday month in a branch) reads its page among those keys, in the
    list's order, sparing a second evaluation of the filter (15 of 35 ms of SQL at 1,000,000)."""

    def read(paginator, bottom, top):
        if paginator.count <= exact_count_limit():
            pks = paginator.list_count.pks
            if pks is None:
                return None
            return list(table.data.data.filter(pk__in=pks)[bottom:top])
        return big_page(paginator, table.data.data, bottom, top)

    return read


class CountedPaginator(Paginator):
    """Counts the rows of `count_queryset`, the list's filtered queryset, rather than those of the
    table's rows query, which may carry joins the count does not need (ObjectListView.table_queryset).

    Above a few thousand rows the count is an estimate (steward.core.counting.count_rows), shown as
    "about N". A page asked for past the estimated end, or found empty before it, makes the paginator
    count exactly, so the real last page is always reachable and never shown empty."""

    def __init__(self, object_list, per_page, *, count_queryset=None, page_rows=None, **kwargs):
        self.count_queryset = count_queryset
        # (paginator, bottom, top) -> the records of rows bottom..top, or None to slice the table's
        # rows query: a list may read a page through an index the rows query cannot be planned on.
        self.page_rows = page_rows
        super().__init__(object_list, per_page, **kwargs)

    @cached_property
    def list_count(self) -> ListCount:
        if self.count_queryset is None:
            return ListCount(super().count)
        return count_rows(self.count_queryset)

    @property
    def count(self) -> int:
        return self.list_count.value

    @property
    def count_is_estimate(self) -> bool:
        return self.list_count.estimated

    def count_exactly(self) -> None:
        # Cached per query and data generation, like the estimate's fallback: the last page of a
        # big list is opened again and again (a quarter of a million rows: 223 ms a visit at 1M).
        queryset = self.count_queryset if self.count_queryset is not None else self.object_list
        self.__dict__["list_count"] = ListCount(cached_count(queryset.order_by().values("pk")))
        self.__dict__.pop("num_pages", None)

    def validate_number(self, number):
        try:
            return super().validate_number(number)
        except EmptyPage:
            if not self.count_is_estimate:
                raise
        self.count_exactly()
        return super().validate_number(number)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if not self.count_is_estimate and top + self.orphans >= self.count:
            top = self.count
        records = self.page_rows(self, bottom, top) if self.page_rows is not None else None
        if records is None:
            rows = self.object_list[bottom:top]
        else:
            rows = BoundRows(data=records, table=self.object_list.table)
        page = self._get_page(rows, number, self)
        if self.count_is_estimate and number > 1:
            page.object_list = list(page.object_list)
            if not page.object_list:  # the estimate ran past the real end
                self.count_exactly()
                return self.page(min(number, self.num_pages))
        return page

    def _get_page(self, *args, **kwargs):
        return CountedPage(*args, **kwargs)


@dataclass(frozen=True)
class BulkAction:
    """An action a list offers on its selected rows (or on every row matching its filter).

    Apps register actions by key (``register_bulk_action``); a list opts in by naming keys in
    ``ObjectListView.bulk_actions``. The form posts ``ids`` (or ``select_all=1``), ``source`` (the
    list's URL with its query) and ``target`` (one of ``targets(user, view)``, if given) to
    ``url_name``; that view gets its rows through ``bulk_selection(request, model)``."""

    key: str
    label: object
    url_name: str
    permission: str
    targets: Callable | None = None  # (user, view) -> [(value, label)]: a drop-down of targets
    icon: str = "checks"


BULK_ACTIONS: dict[str, BulkAction] = {}


def register_bulk_action(*actions: BulkAction) -> None:
    for action in actions:
        BULK_ACTIONS[action.key] = action


class PermissionRequiredMixin(LoginRequiredMixin):
    permission: str = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if self.permission and not has_permission(request.user, self.permission):
            raise PermissionDenied(_("You do not have permission to open this page."))
        return super().dispatch(request, *args, **kwargs)


class ScopedObjectMixin:
    model = None
    select_related: tuple[str, ...] = ()

    def get_queryset(self):
        queryset = self.model.objects.visible_to(self.request.user, self.permission)
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        return queryset

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])


class ObjectListView(PermissionRequiredMixin, ScopedObjectMixin, View):
    """Sortable, filterable, paginated table; htmx requests get only the table back."""

    table_class = None
    filterset_class = None
    template_name = "core/object_list.html"
    title = ""
    export_permission: str | None = None
    add_url_name: str | None = None
    add_permission: str | None = None
    default_page_size = 20
    # Keys of registered BulkActions this list offers (opt-in): adds a selection column and a bar.
    bulk_actions: tuple[str, ...] = ()

    def table_key(self) -> str:
        return f"{self.model._meta.app_label}.{self.model._meta.model_name}"

    def filtered_queryset(self, request):
        """The list's rows under its current filter: (filterset, queryset)."""
        queryset = self.get_queryset()
        filterset = (
            self.filterset_class(request.GET or None, queryset=queryset, request=request)
            if self.filterset_class
            else None
        )
        if filterset is not None and filterset.is_bound and not filterset.is_valid():
            queryset = queryset.none()
        elif filterset is not None:
            queryset = filterset.qs
        return filterset, queryset

    def permitted_bulk_actions(self, request) -> list:
        """The declared bulk actions the user holds the permission of (no query: grants are cached).
        They decide whether the list has its selection column."""
        actions = (BULK_ACTIONS.get(key) for key in self.bulk_actions)
        return [action for action in actions if action is not None and has_permission(request.user, action.permission)]

    def available_bulk_actions(self, request) -> list[dict]:
        """The permitted bulk actions with their targets, for the bar of the full page (an action
        whose target list is empty is left out). An htmx table refresh never asks for them."""
        if not hasattr(self, "_bulk"):
            self._bulk = []
            # Actions that share a target list (add to / remove from a group) query it once.
            target_lists = {}
            for action in self.permitted_bulk_actions(request):
                targets = None
                if action.targets:
                    if action.targets not in target_lists:
                        target_lists[action.targets] = list(action.targets(request.user, self))
                    targets = target_lists[action.targets]
                if targets == []:
                    continue
                self._bulk.append({"action": action, "url": reverse(action.url_name), "targets": targets})
        return self._bulk

    def check_access(self, request) -> None:
        """The page's permissions, for a request that does not go through dispatch (bulk actions)."""
        for name in (self.permission, getattr(self, "page_permission", None)):
            if name and not has_permission(request.user, name):
                raise PermissionDenied(_("You do not have permission to open this page."))

    def table_queryset(self, queryset):
        """The rows query of the table, from the filtered queryset. A list may join what its columns
        and sort need in a form the database can plan better (see CustomerListView); the count is
        always taken from the filtered queryset itself, so this must not change which rows match."""
        return queryset

    def build(self, request):
        filterset, queryset = self.filtered_queryset(request)
        extra = {}
        if self.permitted_bulk_actions(request):
            from steward.core.tables import BulkSelectColumn

            extra = {"extra_columns": [("bulk_select", BulkSelectColumn())], "sequence": ("bulk_select", "...")}
        table = self.table_class(self.table_queryset(queryset), **extra)
        # Sort as asked. Not through the constructor's `request=`: that would also paginate, counting
        # the rows once more on the rows query (paginated_table pages the table once, on the count).
        RequestConfig(request, paginate=False).configure(table)
        table.view_permission = self.permission  # the reveal button re-checks visibility under it
        table.base_url = self.list_url(request)
        table.count_queryset = queryset
        preferences = (request.user.ui_preferences or {}).get("columns", {})
        table.apply_column_choice(preferences.get(self.table_key()))
        return filterset, table

    def paginated_table(self, request):
        """The list as the page shows it: (filterset, table) sorted as asked, on the asked page."""
        filterset, table = self.build(request)
        # Paged here, not by RequestConfig, which would take ?per_page= past MAX_PAGE_SIZE.
        page = request.GET.get(table.prefixed_page_field, 1)
        options = {
            "paginator_class": CountedPaginator,
            "count_queryset": table.count_queryset,
            "page_rows": self.page_rows(table),
        }
        try:
            table.paginate(page=page, per_page=self.page_size(request), **options)
        except PageNotAnInteger:
            table.page = table.paginator.page(1)
        except EmptyPage:
            table.page = table.paginator.page(table.paginator.num_pages)
        return filterset, table

    def page_rows(self, table):
        """None, or a callable (paginator, bottom, top) -> the page's records, for a list that reads
        its pages in a way the table's rows query cannot express (see CustomerListView)."""
        return None

    def list_url(self, request) -> str:
        """The URL this list answers on; sort and page links are built on it."""
        return request.path

    def page_size(self, request) -> int:
        try:
            size = int(request.GET.get("per_page", self.default_page_size))
        except ValueError:
            size = self.default_page_size
        return max(1, min(size, MAX_PAGE_SIZE))

    def get(self, request, *args, **kwargs):
        if request.GET.get("export") == "xlsx":
            _filterset, table = self.build(request)
            if not self.export_permission or not has_permission(request.user, self.export_permission):
                raise PermissionDenied(_("You do not have permission to export this list."))
            # Personal data leaves masked unless the user may and asks to export it plain.
            table.export_unmasked = request.GET.get("unmasked") == "1" and has_permission(
                request.user, "privacy.pii:export_unmasked"
            )
            return table_to_xlsx(table, self.title, request.user, filters=request.GET)
        filterset, table = self.paginated_table(request)
        table.empty_action = self.empty_action(request)
        context = {
            "title": self.title,
            "table": table,
            "filterset": filterset,
            "table_key": self.table_key(),
            "can_export": bool(self.export_permission and has_permission(request.user, self.export_permission)),
            "add_url_name": self.add_url_name
            if self.add_url_name and has_permission(request.user, self.add_permission or "")
            else None,
            # Called by the template only where it draws the bar (not for an htmx table refresh).
            "bulk_actions": lambda: self.available_bulk_actions(request),
            "bulk_source": request.get_full_path(),
        }
        context.update(self.extra_context(request))
        template = "core/table_partial.html" if request.htmx and not request.htmx.boosted else self.template_name
        return TemplateResponse(request, template, context)

    def extra_context(self, request) -> dict:
        return {}

    def empty_action(self, request):
        """None, or (label, url) of a button the list shows when it finds nothing (e.g. the
        customer search's "Save as potential customer", LEAD-12)."""
        return None


class ObjectDetailView(PermissionRequiredMixin, ScopedObjectMixin, View):
    template_name = ""

    def get(self, request, *args, **kwargs):
        obj = self.get_object()
        context = {"object": obj, "title": str(obj)}
        context.update(self.extra_context(request, obj))
        return TemplateResponse(request, self.template_name, context)

    def extra_context(self, request, obj) -> dict:
        return {}


class ServiceFormView(PermissionRequiredMixin, ScopedObjectMixin, View):
    """A form whose save is a service call. With pk it edits a visible record, else it creates.

    An htmx request carrying ``_validate`` only validates and re-renders the form (inline
    errors while typing); nothing is saved.
    """

    form_class = None
    template_name = "core/object_form.html"
    title = ""
    success_message = ""

    def get_instance(self):
        return self.get_object() if "pk" in self.kwargs else None

    def get_form(self, data=None, instance=None):
        return self.form_class(data=data, instance=instance, user=self.request.user)

    def perform(self, form, instance):
        """Call the service that saves `form` (every concrete view defines this)."""
        raise ImproperlyConfigured(f"{type(self).__name__} must define perform() to call its service.")

    def success_url(self, obj) -> str:
        return obj.get_absolute_url()

    def render(self, form, instance, status=200):
        context = {"form": form, "object": instance, "title": self.get_title(instance)}
        context.update(self.extra_context(instance))
        # htmx requests get the whole page too and pick out #form-wrapper (hx-select).
        return TemplateResponse(self.request, self.template_name, context, status=status)

    def get_title(self, instance) -> str:
        # A new record is titled by the view ("New role"); an existing one by its name.
        return str(instance) if instance else str(self.title)

    def extra_context(self, instance) -> dict:
        return {}

    def get(self, request, *args, **kwargs):
        instance = self.get_instance()
        return self.render(self.get_form(instance=instance), instance)

    def post(self, request, *args, **kwargs):
        instance = self.get_instance()
        form = self.get_form(data=request.POST, instance=instance)
        if "_validate" in request.POST:
            form.is_valid()
            return self.render(form, instance)
        if form.is_valid():
            try:
                obj = self.perform(form, instance)
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                if self.success_message:
                    messages.success(request, self.success_message)
                url = self.success_url(obj)
                if request.htmx:
                    # A 302 would be followed silently by the browser; htmx navigates on HX-Redirect.
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = url
                    return response
                return HttpResponseRedirect(url)
        return self.render(form, instance, status=422 if request.htmx else 200)


class ObjectActionView(PermissionRequiredMixin, ScopedObjectMixin, View):
    """A POST-only button on a record (deactivate, revoke …) that calls one service."""

    def act(self, request, obj):
        """Call the service behind the button and return the success message."""
        raise ImproperlyConfigured(f"{type(self).__name__} must define act() to call its service.")

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        try:
            message = self.act(request, obj)
        except DomainError as error:
            messages.error(request, error.message)
        else:
            if message:
                messages.success(request, message)
        url = request.POST.get("next", "")
        # Only a path on this site: "//host/…" and "/\\host" start with "/" yet lead elsewhere.
        if not (url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None)):
            url = obj.get_absolute_url()
        return HttpResponseRedirect(url)


def bulk_selection(request, model):
    """The rows a bulk action applies to, taken from the list it was started on (``source``): the
    ticked ``ids`` among that list's rows, or with ``select_all=1`` every row the list shows under
    its filter. The list's own permission, queryset (data scope) and filter decide — never the ids alone."""
    source = request.POST.get("source", "")
    path, _sep, query = source.partition("?")
    try:
        match = resolve(path)
    except Resolver404:
        match = None
    view_class = getattr(getattr(match, "func", None), "view_class", None)
    if (
        view_class is None
        or not issubclass(view_class, ObjectListView)
        or view_class.model is not model
        or not view_class.bulk_actions
    ):
        raise DomainError(_("This list offers no bulk actions."))
    listing = copy.copy(request)
    listing.method = "GET"
    listing.GET = QueryDict(query)
    view = view_class()
    view.setup(listing, *match.args, **match.kwargs)
    view.check_access(listing)
    if request.POST.get("select_all") == "1":
        return view.filtered_queryset(listing)[1]
    # Plain ids a database integer holds: "²" passes isdigit() but not int(), 40 digits overflow.
    ids = [int(pk) for pk in request.POST.getlist("ids") if pk.isascii() and pk.isdigit() and len(pk) <= 18]
    if not ids:
        raise DomainError(_("Select at least one row, or every row matching the filter."))
    return view.get_queryset().filter(pk__in=ids)


def safe_next(url: str, fallback: str) -> str:
    """`url` if it is a path on this site, else `fallback`."""
    if url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts=None):
        return url
    return fallback


def may_open(user, url_name: str, *args) -> bool:
    """Whether `user` passes the permission checks the view behind `url_name` makes before
    anything else — its `permission` and `page_permission` — so that a link or button to another
    app's page shows only when that page will not answer 403 (DESIGN.md: a button renders only
    when permitted), without the linking app naming the other app's permissions. The view still
    checks, and the data scope still applies to the record it opens."""
    try:
        match = resolve(reverse(url_name, args=args))
    except (NoReverseMatch, Resolver404):
        return False
    view_class = getattr(match.func, "view_class", None)
    names = (getattr(view_class, "permission", None), getattr(view_class, "page_permission", None))
    return all(has_permission(user, name) for name in names if isinstance(name, str) and name)
