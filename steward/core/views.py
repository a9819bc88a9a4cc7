"""Generic views every domain app builds on: list, detail, form (create/edit) and action.

Each view names the registered permission it needs; the queryset always starts from
``visible_to(user, permission)``, so a record outside the data scope is a 404 and a
missing permission is a 403 — whatever the template showed.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django_tables2 import RequestConfig

from steward.access.services import has_permission
from steward.core.errors import DomainError
from steward.core.export import table_to_xlsx

MAX_PAGE_SIZE = 200


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

    def table_key(self) -> str:
        return f"{self.model._meta.app_label}.{self.model._meta.model_name}"

    def build(self, request):
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
        table = self.table_class(queryset, request=request)
        table.view_permission = self.permission  # the reveal button re-checks visibility under it
        table.base_url = self.list_url(request)
        preferences = (request.user.ui_preferences or {}).get("columns", {})
        table.apply_column_choice(preferences.get(self.table_key()))
        return filterset, table

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
        filterset, table = self.build(request)
        if request.GET.get("export") == "xlsx":
            if not self.export_permission or not has_permission(request.user, self.export_permission):
                raise PermissionDenied(_("You do not have permission to export this list."))
            # Personal data leaves masked unless the user may and asks to export it plain.
            table.export_unmasked = request.GET.get("unmasked") == "1" and has_permission(
                request.user, "privacy.pii:export_unmasked"
            )
            return table_to_xlsx(table, self.title, request.user, filters=request.GET)
        # RequestConfig would take ?per_page= straight from the request, past MAX_PAGE_SIZE: paginate here.
        RequestConfig(request, paginate=False).configure(table)
        try:
            table.paginate(page=request.GET.get(table.prefixed_page_field, 1), per_page=self.page_size(request))
        except PageNotAnInteger:
            table.page = table.paginator.page(1)
        except EmptyPage:
            table.page = table.paginator.page(table.paginator.num_pages)
        context = {
            "title": self.title,
            "table": table,
            "filterset": filterset,
            "table_key": self.table_key(),
            "can_export": bool(self.export_permission and has_permission(request.user, self.export_permission)),
            "add_url_name": self.add_url_name
            if self.add_url_name and has_permission(request.user, self.add_permission or "")
            else None,
        }
        context.update(self.extra_context(request))
        template = "core/table_partial.html" if request.htmx and not request.htmx.boosted else self.template_name
        return TemplateResponse(request, template, context)

    def extra_context(self, request) -> dict:
        return {}


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
