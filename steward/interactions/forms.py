from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from steward.core.forms import StewardForm
from steward.interactions.models import NEXT_STEP_MAX, SUMMARY_MAX, Interaction

LOCAL_INPUT = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=LOCAL_INPUT)


class InteractionForm(StewardForm):
    """Recording a contact by hand (SVC-05). The customer is named by number (or comes filled in from
    the 360° view); the time defaults to now; the duration is typed in minutes."""

    customer = forms.CharField(label=_("customer number"), max_length=32)
    channel = forms.ChoiceField(label=_("channel"), choices=Interaction.Channel.choices)
    direction = forms.ChoiceField(
        label=_("direction"), choices=Interaction.Direction.choices, initial=Interaction.Direction.OUTBOUND
    )
    occurred_at = forms.DateTimeField(
        label=_("occurred at"),
        widget=LocalDateTimeInput,
        input_formats=[LOCAL_INPUT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )
    duration_minutes = forms.IntegerField(label=_("duration (minutes)"), required=False, min_value=0, max_value=24 * 60)
    outcome = forms.ChoiceField(
        label=_("outcome"), choices=Interaction.Outcome.choices, initial=Interaction.Outcome.REACHED
    )
    summary = forms.CharField(
        label=_("summary"), required=False, max_length=SUMMARY_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    next_step = forms.CharField(label=_("next step"), required=False, max_length=NEXT_STEP_MAX)
    # "customer": go back to the customer's 360° view after saving (the form was opened there).
    return_to = forms.CharField(required=False, widget=forms.HiddenInput)
    # The reminder the contact was recorded from (the calendar's or the reminder's "Record a
    # contact"): marked done with it.
    reminder = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)

    def __init__(self, *args, customer=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("occurred_at", timezone.localtime().replace(second=0, microsecond=0))
        if customer is not None:
            self.initial["customer"] = customer.cif
            self.initial["return_to"] = "customer"
            self.fields["customer"].help_text = customer.name
