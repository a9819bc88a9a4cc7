"""Django admin for the records merges and the daily intake write (CUS-09, CUS-12): read-only,
within the data scope of the permission that shows them on the product's own pages."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from steward.access.admin import SystemWrittenAdmin
from steward.customers.models import Customer, CustomerAlias, OwnershipConflict


@admin.register(CustomerAlias)
class CustomerAliasAdmin(SystemWrittenAdmin):
    list_display = ("cif", "customer", "merged_customer", "created_at")
    list_select_related = ("customer", "merged_customer")
    search_fields = ("cif",)
    view_permission = "customers.customer:merge"

    def visible_queryset(self, request, queryset):
        # An alias is seen with the customer it now names.
        visible = Customer.objects.visible_to(request.user, self.view_permission).values("pk")
        return queryset.filter(customer__in=visible)


@admin.register(OwnershipConflict)
class OwnershipConflictAdmin(SystemWrittenAdmin):
    """Resolved on the Ownership conflicts page (keep or take goes through the ownership service)."""

    list_display = ("customer", "steward_owner", "file_owner", "source_system", "data_date", "status", "detected_at")
    list_filter = ("status",)
    list_select_related = ("customer", "steward_owner", "file_owner")
    search_fields = ("customer__cif",)
    date_hierarchy = "data_date"
    view_permission = "customers.ownership_conflict:resolve"

    @admin.display(description=_("source system"), ordering="source")
    def source_system(self, conflict):
        return conflict.source_label
