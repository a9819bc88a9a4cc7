"""Django admin for roles, assignments and API tokens — through the same services as the pages.

The admin never writes these rows itself: a role is saved by ``save_role`` and an assignment
created by ``assign_role``, so the no-escalation rule (PLT-03) holds here too. Existing
assignments are history: they are read-only and ended (never deleted) with an action.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop, ngettext

from steward.access import services
from steward.access.models import SCOPE_CHOICES, ApiToken, Role, RoleAssignment
from steward.access.registry import registry
from steward.core.errors import DomainError


class RoleAdminForm(forms.ModelForm):
    permissions = forms.MultipleChoiceField(
        label=_("Permissions"), required=False, widget=forms.CheckboxSelectMultiple, choices=()
    )

    class Meta:
        model = Role
        fields = ["code", "name", "name_en", "description", "default_scope", "is_active", "require_second_factor"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        offered = services.editable_permissions(self.actor)
        self.fields["permissions"].choices = [
            (p.name, f"{p.label} ({p.name})") for p in registry.permissions.values() if p.name in offered
        ]
        if self.instance.pk:
            self.fields["permissions"].initial = sorted(self.instance.permission_names())

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            role = self.instance
            try:
                services.check_role_edit(self.actor, role, cleaned.get("permissions") or [])
            except services.EscalationRefused as refused:
                raise ValidationError({refused.field or "permissions": refused.message}) from refused
            except PermissionDenied as denied:
                raise ValidationError(str(denied)) from denied
            except DomainError as error:
                raise ValidationError({error.field or "permissions": error.message}) from error
        return cleaned


class RegistryAdminMixin:
    """Staff users (is_staff, granted by a superuser) reach these pages with the registry permissions
    the pages ask for; superusers always can. Django's own model permissions play no part."""

    view_permission = ""
    change_permission = ""

    def has_module_permission(self, request):
        return (
            request.user.is_active
            and request.user.is_staff
            and services.has_permission(request.user, self.view_permission)
        )

    def has_view_permission(self, request, obj=None):
        return services.has_permission(request.user, self.view_permission)

    def has_add_permission(self, request):
        return services.has_permission(request.user, self.change_permission)

    def has_change_permission(self, request, obj=None):
        return services.has_permission(request.user, self.change_permission)


class SystemWrittenAdmin(RegistryAdminMixin, admin.ModelAdmin):
    """Rows the system writes (merges, the daily intake, imports), shown read-only to staff holding
    `view_permission`, within that permission's data scope (PLT-04); nobody adds, changes or deletes
    them here, so the services that write them stay the only path (and their audit entries true)."""

    def visible_queryset(self, request, queryset):
        """The rows `request.user` may see; a model without a scoped queryset says how in its admin."""
        return queryset.visible_to(request.user, self.view_permission)

    def get_queryset(self, request):
        return self.visible_queryset(request, super().get_queryset(request))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Role)
class RoleAdmin(RegistryAdminMixin, admin.ModelAdmin):
    list_display = ("code", "name", "name_en", "default_scope", "is_active")
    form = RoleAdminForm
    view_permission = "access.role:view"
    change_permission = "access.role:change"

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def save_model(self, request, obj, form, change):
        services.save_role(request.user, obj, form.cleaned_data.get("permissions") or [])


class RoleAssignmentAdminForm(forms.ModelForm):
    scope = forms.ChoiceField(label=_("data scope"), choices=())

    class Meta:
        model = RoleAssignment
        fields = ["user", "role", "org", "scope"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from steward.org.models import Employee

        # Only what the admin user may give (PLT-03); the service checks the combination.
        self.fields["user"].queryset = Employee.objects.visible_to(self.actor, services.ASSIGN).filter(is_active=True)
        self.fields["role"].queryset = services.grantable_roles(self.actor)
        self.fields["org"].queryset = services.assignable_orgs(self.actor)
        allowed = set(services.grantable_scopes(self.actor))
        self.fields["scope"].choices = [(value, label) for value, label in SCOPE_CHOICES if value in allowed]

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                services.check_assignment(
                    self.actor, cleaned["user"], cleaned["role"], cleaned["org"], cleaned["scope"]
                )
            except services.EscalationRefused as refused:
                raise ValidationError({refused.field: refused.message} if refused.field else refused.message) from (
                    refused
                )
            except PermissionDenied as denied:
                raise ValidationError(str(denied)) from denied
            except DomainError as error:
                raise ValidationError({error.field or "scope": error.message}) from error
        return cleaned


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(RegistryAdminMixin, admin.ModelAdmin):
    list_display = ("user", "role", "org", "scope", "granted_at", "ended_at")
    list_filter = ("scope", "role")
    actions = ["end_selected"]
    view_permission = "access.assignment:view"
    change_permission = services.ASSIGN

    def get_queryset(self, request):
        from steward.org.models import Employee

        queryset = super().get_queryset(request).select_related("user", "role", "org")
        if request.user.is_superuser:
            return queryset
        return queryset.filter(user__in=Employee.objects.visible_to(request.user, self.view_permission).values("pk"))

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is not None:  # history: shown read-only
            return super().get_form(request, obj, change=change, **kwargs)
        kwargs["form"] = RoleAssignmentAdminForm
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return [field.name for field in RoleAssignment._meta.fields]

    def has_delete_permission(self, request, obj=None):
        return False  # ended, never deleted: "who could do what, when" stays answerable

    def save_model(self, request, obj, form, change):
        if change:
            return
        created = services.assign_role(
            request.user, form.cleaned_data["user"], form.cleaned_data["role"], form.cleaned_data["org"], obj.scope
        )
        obj.pk, obj.granted_at, obj.granted_by = created.pk, created.granted_at, created.granted_by

    @admin.action(description=_("End the selected assignments"))
    def end_selected(self, request, queryset):
        ended = refused = 0
        for assignment in queryset.filter(ended_at__isnull=True).select_related("org", "user"):
            try:
                services.end_assignment(request.user, assignment, reason=str(_("ended in the admin")))
                ended += 1
            except PermissionDenied:
                refused += 1
        if ended:
            self.message_user(
                request,
                ngettext("%(count)d assignment ended.", "%(count)d assignments ended.", ended) % {"count": ended},
            )
        if refused:
            self.message_user(
                request,
                _("%(count)d assignments reach further than your own authority and were left as they are.")
                % {"count": refused},
                messages.WARNING,
            )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Listed and revoked only; the secret itself is never stored, so there is nothing to show."""

    list_display = ("prefix", "user", "name", "created_at", "last_used_at", "expires_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("prefix", "user__employee_no", "name")
    actions = ["revoke_selected"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in ApiToken._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description=_("Revoke the selected API tokens"))
    def revoke_selected(self, request, queryset):
        count = 0
        for token in queryset.filter(revoked_at__isnull=True).select_related("user"):
            try:
                services.revoke_token(request.user, token, reason=gettext_noop("revoked in the admin"))
                count += 1
            except PermissionDenied:
                continue
        self.message_user(
            request, ngettext("%(count)d API token revoked.", "%(count)d API tokens revoked.", count) % {"count": count}
        )
