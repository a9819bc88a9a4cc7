from django import forms
from django.utils.translation import gettext_lazy as _

from steward.access.models import SCOPE_CHOICES, Role
from steward.basedata.services import code_choices
from steward.core.forms import StewardForm, StewardModelForm
from steward.org.models import Employee, Org


def scoped_orgs(user, permission):
    return Org.objects.visible_to(user, permission).filter(is_active=True)


class OrgForm(StewardModelForm):
    class Meta:
        model = Org
        fields = ["code", "name", "kind", "parent", "address", "phone", "business_hours", "latitude", "longitude"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # The place in the tree changes through "Move", which moves the whole subtree.
            del self.fields["parent"]
        else:
            self.fields["parent"].queryset = scoped_orgs(self.user, "org.org:add")
            self.fields["parent"].required = not self.user.is_superuser


class OrgMoveForm(StewardForm):
    new_parent = forms.ModelChoiceField(queryset=Org.objects.none(), label=_("New parent org"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_parent"].queryset = scoped_orgs(self.user, "org.org:change").exclude(
            pk__in=self.instance.subtree().values("pk")
        )


class EmployeeForm(StewardModelForm):
    password = forms.CharField(
        label=_("Initial password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to let the employee set one through an administrator later."),
    )

    class Meta:
        model = Employee
        fields = [
            "employee_no",
            "name",
            "org",
            "position",
            "allocation_weight",
            "mobile",
            "id_number",
            "email",
            "hired_on",
            "language",
        ]
        widgets = {"hired_on": forms.DateInput(attrs={"type": "date"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["position"] = forms.ChoiceField(
            label=_("position"),
            choices=code_choices("employee_position"),
            required=False,
            widget=forms.Select(attrs={"class": "form-select"}),
        )
        if self.instance.pk:
            del self.fields["employee_no"]
            del self.fields["org"]  # changed through "Move to another org"
            del self.fields["password"]
        else:
            self.fields["org"].queryset = scoped_orgs(self.user, "org.employee:add")

    def clean_password(self):
        password = self.cleaned_data.get("password")
        if password:
            from django.contrib.auth.password_validation import validate_password

            validate_password(password)
        return password


class GradeForm(StewardForm):
    level = forms.ChoiceField(label=_("Level"))
    tier = forms.ChoiceField(label=_("Tier"))
    effective_on = forms.DateField(label=_("Effective on"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = code_choices("employee_level")
        self.fields["tier"].choices = code_choices("employee_tier")


class EmployeeMoveForm(StewardForm):
    new_org = forms.ModelChoiceField(queryset=Org.objects.none(), label=_("New org"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_org"].queryset = scoped_orgs(self.user, "org.employee:change")


class RoleAssignmentForm(StewardForm):
    # A value outside the offered choices is an attempt to give more than one holds: say so, not
    # Django's "all is not one of the available choices" with the raw value.
    role = forms.ModelChoiceField(
        queryset=Role.objects.filter(is_active=True),
        label=_("Role"),
        error_messages={"invalid_choice": _("You cannot give this role: it grants permissions you do not hold.")},
    )
    org = forms.ModelChoiceField(
        queryset=Org.objects.none(),
        label=_("At org"),
        error_messages={"invalid_choice": _("You cannot assign roles at an org outside your data scope.")},
    )
    scope = forms.ChoiceField(
        choices=SCOPE_CHOICES,
        label=_("Data scope"),
        error_messages={
            "invalid_choice": _("You cannot give this data scope: it reaches further than your own authority.")
        },
    )

    def __init__(self, *args, **kwargs):
        from steward.access import services as access_services

        super().__init__(*args, **kwargs)
        # Only what the user may give (PLT-03); assign_role checks the combination again.
        self.fields["role"].queryset = access_services.grantable_roles(self.user)
        self.fields["org"].queryset = access_services.assignable_orgs(self.user)
        allowed = set(access_services.grantable_scopes(self.user))
        self.fields["scope"].choices = [(value, label) for value, label in SCOPE_CHOICES if value in allowed]
        if self.instance is not None:
            self.fields["org"].initial = self.instance.org_id
