from django.contrib import messages
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from steward.access import services as access_services
from steward.access.models import RoleAssignment
from steward.access.services import has_permission
from steward.basedata.services import code_label
from steward.core.errors import DomainError
from steward.core.views import ObjectActionView, ObjectDetailView, ObjectListView, ServiceFormView
from steward.org import services
from steward.org.filters import BranchFilterSet, EmployeeFilterSet, OrgFilterSet
from steward.org.forms import EmployeeForm, EmployeeMoveForm, GradeForm, OrgForm, OrgMoveForm, RoleAssignmentForm
from steward.org.models import Employee, Org, UserSession
from steward.org.tables import BranchTable, EmployeeTable, OnlineUserTable, OrgTable


class OrgListView(ObjectListView):
    model = Org
    permission = "org.org:view"
    table_class = OrgTable
    filterset_class = OrgFilterSet
    select_related = ("parent",)
    title = gettext_lazy("Org tree")
    export_permission = "org.org:export"
    add_url_name = "org:org_add"
    add_permission = "org.org:add"
    default_page_size = 50


class BranchListView(OrgListView):
    table_class = BranchTable
    filterset_class = BranchFilterSet
    title = gettext_lazy("Branch directory")

    def get_queryset(self):
        return super().get_queryset().filter(kind__in=[Org.Kind.BRANCH, Org.Kind.SUB_BRANCH])

    def table_key(self):
        return "org.branch"


class OrgDetailView(ObjectDetailView):
    model = Org
    permission = "org.org:view"
    template_name = "org/org_detail.html"
    select_related = ("parent",)

    def extra_context(self, request, obj):
        user = request.user
        return {
            "ancestors": obj.ancestors().filter(pk__in=Org.objects.visible_to(user, "org.org:view").values("pk")),
            "children": Org.objects.visible_to(user, "org.org:view").filter(parent=obj),
            "employee_count": Employee.objects.visible_to(user, "org.employee:view")
            .filter(org__in=obj.subtree().values("pk"))
            .exclude(status=Employee.Status.LEFT)
            .count(),
            "can_change": has_permission(user, "org.org:change"),
            "can_add": has_permission(user, "org.org:add"),
            "move_form": OrgMoveForm(user=user, instance=obj) if has_permission(user, "org.org:change") else None,
        }


class OrgCreateView(ServiceFormView):
    model = Org
    permission = "org.org:add"
    form_class = OrgForm
    title = gettext_lazy("New org")
    success_message = gettext_lazy("The org was created.")

    def get_form(self, data=None, instance=None):
        form = super().get_form(data, instance)
        if data is None and "parent" in self.request.GET:
            form.initial["parent"] = self.request.GET["parent"]
        return form

    def perform(self, form, instance):
        data = dict(form.cleaned_data)
        parent = data.pop("parent")
        return services.create_org(self.request.user, parent=parent, **data)


class OrgEditView(ServiceFormView):
    model = Org
    permission = "org.org:change"
    form_class = OrgForm
    success_message = gettext_lazy("The org was saved.")

    def perform(self, form, instance):
        return services.update_org(self.request.user, instance, **form.cleaned_data)


class OrgMoveView(ServiceFormView):
    model = Org
    permission = "org.org:change"
    form_class = OrgMoveForm
    success_message = gettext_lazy("The org and everything under it were moved.")

    def get_title(self, instance):
        return _("Move %(org)s") % {"org": instance}

    def perform(self, form, instance):
        return services.move_org(self.request.user, instance, form.cleaned_data["new_parent"])


class OrgActiveView(ObjectActionView):
    model = Org
    permission = "org.org:change"

    def act(self, request, obj):
        active = request.POST.get("active") == "1"
        services.set_org_active(request.user, obj, active)
        return _("The org was reactivated.") if active else _("The org and its sub-orgs were deactivated.")


class EmployeeListView(ObjectListView):
    model = Employee
    permission = "org.employee:view"
    table_class = EmployeeTable
    filterset_class = EmployeeFilterSet
    select_related = ("org",)
    title = gettext_lazy("Employees")
    export_permission = "org.employee:export"
    add_url_name = "org:employee_add"
    add_permission = "org.employee:add"


class EmployeeDetailView(ObjectDetailView):
    model = Employee
    permission = "org.employee:view"
    template_name = "org/employee_detail.html"
    select_related = ("org",)

    def extra_context(self, request, obj):
        user = request.user
        can_assign = (
            has_permission(user, "access.assignment:change")
            and Employee.objects.visible_to(user, "access.assignment:change").filter(pk=obj.pk).exists()
        )
        assignments = None
        if has_permission(user, "access.assignment:view"):
            assignments = list(
                RoleAssignment.objects.filter(user=obj)
                .select_related("role", "org", "granted_by", "ended_by")
                .order_by("ended_at", "-granted_at")
            )
            for assignment in assignments:  # the Revoke button only where ending is allowed (PLT-03)
                assignment.can_end = (
                    can_assign and assignment.ended_at is None and access_services.may_end_assignment(user, assignment)
                )
        return {
            "assignments": assignments,
            "grade_changes": obj.grade_changes.select_related("changed_by")[:20],
            "can_change": has_permission(user, "org.employee:change"),
            "can_grade": has_permission(user, "org.employee:grade"),
            "can_assign": can_assign,
            "can_view_tokens": has_permission(user, "access.token:view")
            and Employee.objects.visible_to(user, "access.token:view").filter(pk=obj.pk).exists(),
            "assign_form": RoleAssignmentForm(user=user, instance=obj) if can_assign else None,
            "grade_form": GradeForm(user=user, initial={"level": obj.level, "tier": obj.tier})
            if has_permission(user, "org.employee:grade")
            else None,
            "move_form": EmployeeMoveForm(user=user) if has_permission(user, "org.employee:change") else None,
            "statuses": Employee.Status.choices,
            "position_label": code_label("employee_position", obj.position),
            "level_label": code_label("employee_level", obj.level),
            "tier_label": code_label("employee_tier", obj.tier),
        }


class EmployeeCreateView(ServiceFormView):
    model = Employee
    permission = "org.employee:add"
    form_class = EmployeeForm
    title = gettext_lazy("New employee")
    success_message = gettext_lazy("The employee was added.")

    def perform(self, form, instance):
        data = dict(form.cleaned_data)
        return services.create_employee(
            self.request.user,
            employee_no=data.pop("employee_no"),
            org=data.pop("org"),
            password=data.pop("password") or None,
            **data,
        )


class EmployeeEditView(ServiceFormView):
    model = Employee
    permission = "org.employee:change"
    form_class = EmployeeForm
    success_message = gettext_lazy("The employee was saved.")

    def perform(self, form, instance):
        return services.update_employee(self.request.user, instance, **form.cleaned_data)


class EmployeeGradeView(ServiceFormView):
    model = Employee
    permission = "org.employee:grade"
    form_class = GradeForm

    def get_title(self, instance):
        return _("Change level and tier of %(employee)s") % {"employee": instance}

    def perform(self, form, instance):
        services.change_grade(self.request.user, instance, **form.cleaned_data)
        messages.success(self.request, _("The new level and tier were recorded."))
        return instance


class EmployeeMoveView(ServiceFormView):
    model = Employee
    permission = "org.employee:change"
    form_class = EmployeeMoveForm

    def get_title(self, instance):
        return _("Move %(employee)s to another org") % {"employee": instance}

    def perform(self, form, instance):
        services.move_employee(self.request.user, instance, form.cleaned_data["new_org"])
        messages.success(self.request, _("The employee was moved; their roles and sessions have ended."))
        return instance


class EmployeeStatusView(ObjectActionView):
    model = Employee
    permission = "org.employee:change"

    def act(self, request, obj):
        services.set_employee_status(request.user, obj, request.POST.get("status", ""))
        if obj.status == Employee.Status.LEFT:
            return _("%(employee)s has left: every role was revoked and every session ended.") % {"employee": obj}
        return _("The status was changed.")


class RoleAssignView(ServiceFormView):
    model = Employee
    permission = "access.assignment:change"
    form_class = RoleAssignmentForm
    success_message = gettext_lazy("The role was assigned.")

    def get_title(self, instance):
        return _("Assign a role to %(employee)s") % {"employee": instance}

    def perform(self, form, instance):
        try:
            access_services.assign_role(
                self.request.user,
                instance,
                form.cleaned_data["role"],
                form.cleaned_data["org"],
                form.cleaned_data["scope"],
            )
        except access_services.EscalationRefused as refused:  # shown on the field at fault (PLT-03)
            raise DomainError(refused.message, field=refused.field) from refused
        return instance


class RevokeAssignmentView(ObjectActionView):
    """End one role assignment of a (visible) employee; kept as history, not deleted."""

    model = Employee
    permission = "access.assignment:change"

    def act(self, request, obj):
        assignment = get_object_or_404(RoleAssignment, pk=request.POST.get("assignment"), user=obj)
        try:
            access_services.end_assignment(request.user, assignment, reason=request.POST.get("reason", ""))
        except access_services.EscalationRefused as refused:
            raise DomainError(refused.message) from refused
        return _("The role %(role)s was revoked.") % {"role": assignment.role}


class OnlineUsersView(ObjectListView):
    model = UserSession
    permission = "org.employee:online"
    table_class = OnlineUserTable
    title = gettext_lazy("Online users")

    def get_queryset(self):
        return services.online_users(self.request.user)

    def table_key(self):
        return "org.online"
