"""Forms of the reminder centre (SVC-03): acting on a reminder, a customer's important date."""

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from steward.core.forms import StewardModelForm
from steward.holdings.models import ImportantDate
from steward.holdings.reminders import ACTIONS


class ReminderActForm(forms.Form):
    """What a reminder's buttons post: the action, and for a snooze one day, one week or a date."""

    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    snooze = forms.ChoiceField(choices=[("1d", "1d"), ("1w", "1w"), ("date", "date")], required=False)
    until = forms.DateField(required=False, input_formats=["%Y-%m-%d"])


class ImportantDateForm(StewardModelForm):
    """A customer's important date: the customer by number (or filled in), the date, what it is,
    and whether it comes back every year."""

    customer_number = forms.CharField(label=_("customer number"), max_length=32)

    class Meta:
        model = ImportantDate
        fields = ["date", "label", "yearly"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    field_order = ["customer_number", "date", "label", "yearly"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].input_formats = ["%Y-%m-%d"]
        if self.instance.pk is not None:
            self.initial["customer_number"] = self.instance.customer.cif
            self.fields["customer_number"].help_text = self.instance.customer.name

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date is not None and not (dt.date(1900, 1, 1) <= date <= dt.date(2200, 12, 31)):
            raise forms.ValidationError(_("Give a date between 1900 and 2200."))
        return date
