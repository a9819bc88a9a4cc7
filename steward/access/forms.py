from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from steward.access import services
from steward.access.models import Role
from steward.access.registry import registry
from steward.core.forms import StewardModelForm


class RoleForm(StewardModelForm):
    """The role editor: its identity plus a tick box per registered menu and action."""

    permissions = forms.MultipleChoiceField(
        label=_("Permissions"), required=False, widget=forms.CheckboxSelectMultiple, choices=()
    )

    class Meta:
        model = Role
        fields = ["code", "name", "name_en", "description", "default_scope", "is_active", "require_second_factor"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the permissions the editor holds themself can be ticked (PLT-03: no escalation).
        self.offered = services.editable_permissions(self.user) if self.user is not None else set()
        self.fields["permissions"].choices = [
            (p.name, str(p.label)) for p in registry.permissions.values() if p.name in self.offered
        ]
        if self.instance.pk:
            self.fields["permissions"].initial = sorted(self.instance.permission_names())
            self.fields["code"].disabled = True

    def permission_groups(self):
        """Grouped for the template: [(group, [(name, label, kind, checked, offered)])]."""
        selected = set(self.data.getlist("permissions") if self.is_bound else self.fields["permissions"].initial or [])
        return [
            (group, [(p.name, p.label, p.kind, p.name in selected, p.name in self.offered) for p in permissions])
            for group, permissions in registry.grouped()
        ]


class ApiTokenForm(forms.Form):
    """Issue one of my own API tokens: a name to recognise it by and how long it may live."""

    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        required=False,
        help_text=_("What uses it, e.g. “call-centre integration”."),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    expires_in_days = forms.IntegerField(
        label=_("Valid for (days)"), min_value=1, widget=forms.NumberInput(attrs={"class": "form-control"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = services.token_lifetime_days()
        field = self.fields["expires_in_days"]
        field.max_value = limit
        field.validators.append(MaxValueValidator(limit))
        field.widget.attrs["max"] = limit
        field.initial = limit
        field.help_text = _("At most %(days)d days; it also lapses after %(idle)d days without use.") % {
            "days": limit,
            "idle": services.token_idle_limit().days,
        }
