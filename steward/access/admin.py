from django.contrib import admin

from steward.access.models import Role, RoleAssignment, RoleGrant


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    extra = 0


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "default_scope", "is_active")
    inlines = [RoleGrantInline]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "org", "scope", "granted_at", "ended_at")
    list_filter = ("scope", "role")
