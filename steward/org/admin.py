"""Django admin for superusers only (the product's own pages are where staff work)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from steward.org.models import Employee, GradeChange, Org, UserSession


@admin.register(Org)
class OrgAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "path", "is_active")
    search_fields = ("code", "name", "address")
    list_filter = ("kind", "is_active")
    readonly_fields = ("path", "depth")


@admin.register(Employee)
class EmployeeAdmin(UserAdmin):
    ordering = ("employee_no",)
    list_display = ("employee_no", "name", "org", "status", "is_active")
    search_fields = ("employee_no", "name")
    list_filter = ("status", "is_active", "is_superuser")
    fieldsets = (
        (None, {"fields": ("employee_no", "password", "name", "org", "position", "level", "tier", "status")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser")}),
    )
    add_fieldsets = ((None, {"fields": ("employee_no", "name", "org", "password1", "password2")}),)
    filter_horizontal = ()


admin.site.register(GradeChange)
admin.site.register(UserSession)
