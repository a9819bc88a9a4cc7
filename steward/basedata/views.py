from django.conf import settings
from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from steward.access.services import has_permission
from steward.basedata import services
from steward.basedata.filters import CodeTableFilterSet, ParameterFilterSet
from steward.basedata.forms import CodeItemsForm, CodeTableForm, ParameterForm
from steward.basedata.models import CodeTable, SystemParameter
from steward.basedata.tables import CodeTableTable, ParameterTable
from steward.core.views import ObjectListView, PermissionRequiredMixin, ServiceFormView, safe_next


class CodeTableListView(ObjectListView):
    model = CodeTable
    permission = "basedata.codetable:view"
    table_class = CodeTableTable
    filterset_class = CodeTableFilterSet
    title = gettext_lazy("Code tables")
    add_url_name = "basedata:codetable_add"
    add_permission = "basedata.codetable:change"

    def get_queryset(self):
        return super().get_queryset().annotate(item_count=Count("items", filter=Q(items__is_active=True)))


class CodeTableFormView(ServiceFormView):
    model = CodeTable
    permission = "basedata.codetable:change"
    form_class = CodeTableForm
    title = gettext_lazy("New code table")
    success_message = gettext_lazy("The code table was saved.")

    def perform(self, form, instance):
        return services.save_code_table(self.request.user, form.instance)


class CodeItemsView(ServiceFormView):
    """The items of one table; viewers see them read-only, editors can change them."""

    model = CodeTable
    permission = "basedata.codetable:view"
    form_class = CodeItemsForm
    template_name = "basedata/codetable_items.html"
    success_message = gettext_lazy("The items were saved.")

    def post(self, request, *args, **kwargs):
        from steward.access.services import require_permission

        require_permission(request.user, "basedata.codetable:change")
        return super().post(request, *args, **kwargs)

    def extra_context(self, instance):
        from steward.access.services import has_permission

        return {"can_change": has_permission(self.request.user, "basedata.codetable:change")}

    def perform(self, form, instance):
        services.save_code_items(self.request.user, instance, form.cleaned_data["items"])
        return instance


class ParameterListView(ObjectListView):
    model = SystemParameter
    permission = "basedata.parameter:view"
    table_class = ParameterTable
    filterset_class = ParameterFilterSet
    title = gettext_lazy("System parameters")
    template_name = "basedata/parameter_list.html"
    default_page_size = 50

    def extra_context(self, request):
        return {"can_refresh_cache": has_permission(request.user, services.REFRESH_PERMISSION)}


class ParameterEditView(ServiceFormView):
    model = SystemParameter
    permission = "basedata.parameter:change"
    form_class = ParameterForm
    success_message = gettext_lazy("The parameter was saved; services use the new value now.")

    def get_title(self, instance):
        return f"{instance.key} — {instance.label}"

    def perform(self, form, instance):
        return services.set_parameter(self.request.user, instance.key, form.cleaned_data["value"])

    def success_url(self, obj):
        return reverse("basedata:parameter_list")


class RefreshCacheView(PermissionRequiredMixin, View):
    """POST: the "refresh system cache" button of the parameter list (PLT-06)."""

    permission = services.REFRESH_PERMISSION
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        services.refresh_cache(request.user)
        if settings.CACHES["default"]["BACKEND"].endswith("LocMemCache"):
            # Each server process has its own memory cache: only this one was dropped now.
            messages.success(
                request,
                _(
                    "The system cache was refreshed. Other server processes read the new values "
                    "within %(seconds)s seconds."
                )
                % {"seconds": services.CACHE_SECONDS},
            )
        else:
            messages.success(request, _("The system cache was refreshed."))
        return HttpResponseRedirect(safe_next(request.POST.get("next", ""), reverse("basedata:parameter_list")))
