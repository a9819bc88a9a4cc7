from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from steward.core.forms import StewardForm, StewardModelForm
from steward.leads.models import RegionRoute


class LeadForm(StewardForm):
    """A lead typed in by hand (LEAD-01); the service checks the number and the ID number."""

    name = forms.CharField(label=_("name"), max_length=100)
    mobile = forms.CharField(label=_("mobile"), max_length=40)
    id_number = forms.CharField(label=pgettext_lazy("customer", "ID number"), max_length=18, required=False)
    customer_number = forms.CharField(
        label=_("customer number"),
        max_length=32,
        required=False,
        help_text=_("If the person says they are a customer already."),
    )
    campaign = forms.CharField(label=_("campaign"), max_length=100, required=False)
    institution = forms.CharField(
        label=_("institution code"),
        max_length=40,
        required=False,
        help_text=_("If an institution (a payroll company, a partner) brought the person."),
    )


class RegionRouteForm(StewardModelForm):
    """A province (or one city of it) and the org that receives its leads (LEAD-02). The names are
    those of the number's ownership as the leads show them, e.g. 广东省 and 广州市."""

    class Meta:
        model = RegionRoute
        fields = ["province", "city", "org"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from steward.org.models import Org

        self.fields["org"].queryset = Org.objects.filter(is_active=True).order_by("path")
