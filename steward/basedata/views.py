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
from steward.basedata.filters import CalendarDayFilterSet, CodeTableFilterSet, ParameterFilterSet
from steward.basedata.forms import CalendarDayForm, CalendarImportForm, CodeItemsForm, CodeTableForm, ParameterForm
from steward.basedata.models import CalendarDay, CodeTable, SystemParameter
from steward.basedata.tables import CalendarDayTable, CodeTableTable, ParameterTable
from steward.core.views import (
    ObjectActionView,
    ObjectListView,
    PermissionRequiredMixin,
    ServiceFormView,
    safe_next,
)


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


class CalendarDayListView(ObjectListView):
    """The holiday calendar: the public holidays and weekend days worked in lieu of every year."""

    model = CalendarDay
    permission = "basedata.calendar:view"
    table_class = CalendarDayTable
    filterset_class = CalendarDayFilterSet
    title = gettext_lazy("Holiday calendar")
    template_name = "basedata/calendar_list.html"
    add_url_name = "basedata:calendar_add"
    add_permission = services.CALENDAR_PERMISSION
    default_page_size = 50

    def extra_context(self, request):
        return {"can_change": has_permission(request.user, services.CALENDAR_PERMISSION)}


class CalendarDayFormView(ServiceFormView):
    model = CalendarDay
    permission = services.CALENDAR_PERMISSION
    form_class = CalendarDayForm
    title = gettext_lazy("New holiday calendar day")
    template_name = "basedata/calendar_form.html"
    success_message = gettext_lazy("The day was saved; business days are counted with it now.")

    def perform(self, form, instance):
        return services.save_calendar_day(self.request.user, form.instance)

    def success_url(self, obj):
        return reverse("basedata:calendar_list") + f"?year={obj.date.year}"


class CalendarDayDeleteView(ObjectActionView):
    model = CalendarDay
    permission = services.CALENDAR_PERMISSION

    def act(self, request, obj):
        services.delete_calendar_day(request.user, obj)
        return _("The day follows the working week again.")

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        year = obj.date.year
        messages.success(request, self.act(request, obj))
        return HttpResponseRedirect(reverse("basedata:calendar_list") + f"?year={year}")


class CalendarImportView(ServiceFormView):
    """Paste a year's public holidays at once; all lines or none are recorded."""

    model = CalendarDay
    permission = services.CALENDAR_PERMISSION
    form_class = CalendarImportForm
    title = gettext_lazy("Paste public holidays")

    def get_instance(self):
        return None

    def perform(self, form, instance):
        count = services.import_calendar_lines(self.request.user, form.cleaned_data["lines"])
        messages.success(self.request, _("%(count)s days were recorded.") % {"count": count})
        return None

    def success_url(self, obj):
        return reverse("basedata:calendar_list")
