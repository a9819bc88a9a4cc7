from django.db.models import Count, Q
from django.utils.translation import gettext_lazy

from steward.access import services
from steward.access.filters import RoleFilterSet
from steward.access.forms import RoleForm
from steward.access.models import Role
from steward.access.tables import RoleTable
from steward.core.errors import DomainError
from steward.core.views import ObjectListView, ServiceFormView


class RoleListView(ObjectListView):
    model = Role
    permission = "access.role:view"
    table_class = RoleTable
    filterset_class = RoleFilterSet
    title = gettext_lazy("Roles")
    add_url_name = "access:role_add"
    add_permission = "access.role:change"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .annotate(
                holders=Count("assignments", filter=Q(assignments__ended_at__isnull=True), distinct=True),
                permission_count=Count("grants", distinct=True),
            )
        )


class RoleFormView(ServiceFormView):
    """Create (no pk) or edit a role and tick the menus and actions it grants."""

    model = Role
    permission = "access.role:view"
    form_class = RoleForm
    template_name = "access/role_form.html"
    title = gettext_lazy("New role")
    success_message = gettext_lazy("The role was saved.")

    def post(self, request, *args, **kwargs):
        services.require_permission(request.user, "access.role:change")
        return super().post(request, *args, **kwargs)

    def perform(self, form, instance):
        data = {k: v for k, v in form.cleaned_data.items() if k != "permissions"}
        role = instance or Role()
        for name, value in data.items():
            setattr(role, name, value)
        try:
            return services.save_role(self.request.user, role, form.cleaned_data["permissions"])
        except services.EscalationRefused as refused:  # shown on the form (PLT-03)
            raise DomainError(refused.message, field=refused.field) from refused

    def success_url(self, obj):
        return obj.get_absolute_url()

    def extra_context(self, instance):
        user = self.request.user
        can_change = services.may_edit_role(user, instance or Role())
        return {
            "can_change": can_change,
            # Someone who may edit roles but not this one is told why the Save button is missing.
            "locked": bool(instance) and not can_change and services.has_permission(user, "access.role:change"),
        }
