"""Django admin for import runs and their rejected rows (CUS-13): read-only, and only the runs the
/imports/<id>/ pages show the same user (per kind, the kind's permission and its data scope)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from steward.access.admin import SystemWrittenAdmin
from steward.access.services import has_permission
from steward.imports import services
from steward.imports.models import ImportRejection, ImportRun


class ImportRunScopeMixin:
    """Seen by whoever may see the runs of at least one kind of import."""

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff and self.has_view_permission(request)

    def has_view_permission(self, request, obj=None):
        return any(has_permission(request.user, importer.permission) for importer in services.importers.values())

    def visible_runs(self, request):
        return services.runs_visible_to(request.user).values("pk")


@admin.register(ImportRun)
class ImportRunAdmin(ImportRunScopeMixin, SystemWrittenAdmin):
    list_display = (
        "pk",
        "file_name",
        "kind",
        "mode",
        "status",
        "requested_by",
        "rows_total",
        "rows_rejected",
        "rows_written",
        "created_at",
        "rejected_rows_link",
    )
    list_filter = ("kind", "mode", "status")
    list_select_related = ("requested_by",)
    search_fields = ("file_name",)
    # The stored upload is not offered for download here: the run's page is where the file's rows are shown.
    fields = (
        "kind",
        "mode",
        "status",
        "phase",
        "file_name",
        "file_size",
        "language",
        "requested_by",
        "org",
        "checked_run",
        "rows_total",
        "rows_checked",
        "rows_good",
        "rows_rejected",
        "rows_written",
        "error",
        "created_at",
        "started_at",
        "finished_at",
    )

    def visible_queryset(self, request, queryset):
        return queryset.filter(pk__in=self.visible_runs(request))

    @admin.display(description=_("rejected rows"))
    def rejected_rows_link(self, run):
        if not run.rows_rejected:
            return "—"
        url = reverse("admin:imports_importrejection_changelist") + "?" + urlencode({"run__id__exact": run.pk})
        return format_html('<a href="{}">{}</a>', url, run.rows_rejected)


@admin.register(ImportRejection)
class ImportRejectionAdmin(ImportRunScopeMixin, SystemWrittenAdmin):
    list_display = ("run", "line", "column", "reason")
    list_select_related = ("run",)
    search_fields = ("reason", "column")

    def visible_queryset(self, request, queryset):
        return queryset.filter(run__in=self.visible_runs(request))
