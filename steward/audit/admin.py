from django.contrib import admin

from steward.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the trail has no add, change or delete path, not even here."""

    list_display = ("seq", "timestamp", "actor_repr", "action", "object_type", "object_repr")
    list_filter = ("action",)
    search_fields = ("actor_repr", "object_repr", "request_id")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
