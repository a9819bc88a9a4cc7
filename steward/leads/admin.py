"""Django admin for potential customers: read-only, within the data scope (LEAD-01, LEAD-06).
Leads are written by the services only (steward/leads/services.py); the region table is edited on
the leads pages (coming with the pools), so its admin shows it only."""

from django.contrib import admin

from steward.access.admin import SystemWrittenAdmin
from steward.access.services import has_permission
from steward.leads.models import Lead, LeadMove, LeadPool, RegionRoute
from steward.leads.permissions import VIEW


@admin.register(Lead)
class LeadAdmin(SystemWrittenAdmin):
    list_display = ("name", "stage", "source", "channel", "org", "pool", "holder", "created_at")
    list_filter = ("stage", "source")
    list_select_related = ("org", "pool", "holder")
    raw_id_fields = ("org", "pool", "holder", "customer", "created_by")
    exclude = ("mobile", "id_number")  # personal data: masked in the API, not shown here
    view_permission = VIEW


@admin.register(LeadPool)
class LeadPoolAdmin(SystemWrittenAdmin):
    list_display = ("name", "kind", "org", "holder")
    list_filter = ("kind",)
    list_select_related = ("org", "holder")
    view_permission = VIEW


@admin.register(RegionRoute)
class RegionRouteAdmin(SystemWrittenAdmin):
    list_display = ("province", "city", "org")
    list_select_related = ("org",)
    view_permission = VIEW

    def visible_queryset(self, request, queryset):
        # Bank-wide configuration: the whole table, for anyone who may see leads.
        return queryset if has_permission(request.user, VIEW) else queryset.none()


@admin.register(LeadMove)
class LeadMoveAdmin(SystemWrittenAdmin):
    list_display = ("at", "lead", "kind", "pool", "from_holder", "to_holder", "reason")
    list_filter = ("kind",)
    list_select_related = ("lead", "pool", "from_holder", "to_holder")
    view_permission = VIEW

    def visible_queryset(self, request, queryset):
        # A move is seen with its lead.
        return queryset.filter(lead__in=Lead.objects.visible_to(request.user, VIEW).values("pk"))
