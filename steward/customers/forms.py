from django import forms
from django.utils.translation import gettext_lazy as _

from steward.basedata.services import code_choices
from steward.core.forms import StewardForm, StewardModelForm
from steward.customers.models import Customer, CustomerRelation
from steward.customers.services import (
    ADD,
    ASSIGN,
    CODE_FIELDS,
    EDITABLE_FIELDS,
    SERVICE_STATUSES,
    TRANSFER,
    USER_STATUSES,
    managing_employees,
    owner_candidates,
)
from steward.org.models import Employee, Org


class CustomerForm(StewardModelForm):
    class Meta:
        model = Customer
        fields = [
            "cif",
            "name",
            "org",
            "owner",
            # Exactly what the service lets a user edit, in the same order.
            *(name for name in EDITABLE_FIELDS if name != "name"),
        ]
        widgets = {
            "birth_date": forms.DateInput(attrs={"type": "date"}),
            "risk_expires_on": forms.DateInput(attrs={"type": "date"}),
            "id_number": forms.TextInput(),
        }
        help_texts = {"birth_date": _("Derived from a resident ID number."), "gender": _("Derived likewise.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, table in CODE_FIELDS.items():
            self.fields[name] = forms.ChoiceField(
                label=self.fields[name].label,
                choices=code_choices(table),
                required=name == "id_type",
                widget=forms.Select(attrs={"class": "form-select"}),
            )
            if self.instance.pk:
                self.initial[name] = getattr(self.instance, name)
        self.fields["id_type"].initial = self.initial.get("id_type") or "01"
        # "Merged" is set by merging only; a merged customer's status stays as it is.
        status = self.fields["status"]
        status.choices = USER_STATUSES
        if self.instance.pk and self.instance.status in SERVICE_STATUSES:
            status.choices = [(self.instance.status, self.instance.get_status_display())]
            status.disabled = True
        if self.instance.pk:
            # The number, the org and the owner change through their own services (merge, transfer).
            for name in ("cif", "org", "owner"):
                del self.fields[name]
        elif self.user is not None:
            orgs = Org.objects.visible_to(self.user, ADD) | Org.objects.filter(pk=self.user.org_id)
            self.fields["org"].queryset = orgs
            # Only owners the service accepts (owner_candidates): employees of orgs in the user's scope.
            self.fields["owner"].queryset = owner_candidates(self.user, ADD)
            self.initial.setdefault("org", self.user.org_id)
            self.initial.setdefault("owner", self.user.pk)

    def _post_clean(self):
        pass  # the service validates; the model's own validation would re-check the blind index too early


class SubscriptionForm(StewardForm):
    sms = forms.BooleanField(label=_("SMS notices"), required=False)
    phone = forms.BooleanField(label=_("phone notices"), required=False)


class NoteForm(StewardForm):
    body = forms.CharField(label=_("note"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    private = forms.BooleanField(label=_("Private (only I can read it)"), required=False)


class RelationForm(StewardForm):
    kind = forms.ChoiceField(label=_("relation"), choices=CustomerRelation.Kind.choices)
    related_cif = forms.CharField(label=_("related customer number"), required=False, max_length=32)
    corporate_code = forms.CharField(label=_("or company credit code"), required=False, max_length=18)
    corporate_name = forms.CharField(label=_("company name (for a new company)"), required=False, max_length=200)
    note = forms.CharField(label=_("note"), required=False, max_length=200)


class TransferRequestForm(StewardForm):
    customers = forms.CharField(
        label=_("Customer numbers"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Separated by spaces or commas."),
    )
    new_owner = forms.ModelChoiceField(label=_("New relationship manager"), queryset=Employee.objects.none())
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))

    # The permission whose data scope bounds the new owner (services.owner_candidates).
    owner_permission = TRANSFER

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.user is not None:
            self.fields["new_owner"].queryset = managing_employees(
                owner_candidates(self.user, self.owner_permission)
            ).select_related("org")


class AllocationRequestForm(StewardForm):
    customers = forms.CharField(
        label=_("Customer numbers"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Separated by spaces or commas."),
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}))


class ConfidentialGrantForm(StewardForm):
    """Grant an employee access to a confidential customer (CUS-10), optionally until a date."""

    employee_no = forms.CharField(label=_("employee number"), max_length=20)
    expires_on = forms.DateField(
        label=_("access until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The last day of access. Leave empty to keep access until it is revoked."),
    )


class AssignForm(TransferRequestForm):
    """A supervisor's direct assignment (e.g. of unassigned customers); no approval needed."""

    owner_permission = ASSIGN


class CoManagerForm(StewardForm):
    employee_no = forms.CharField(label=_("co-manager (employee number)"), max_length=20)
