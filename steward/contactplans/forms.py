import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from steward.contactplans.permissions import ADD
from steward.core.forms import StewardForm
from steward.interactions.models import Interaction

MAX_NUMBERS = 2000


class PlanForm(StewardForm):
    """Whom (customer numbers, or a group, or a segment), when, how and why."""

    customers = forms.CharField(
        label=_("customer numbers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One or more customer numbers, separated by spaces, commas or new lines."),
    )
    group = forms.TypedChoiceField(label=_("or a customer group"), required=False, coerce=int, empty_value=None)
    segment = forms.TypedChoiceField(label=_("or a segment"), required=False, coerce=int, empty_value=None)
    planned_at = forms.DateTimeField(
        label=_("planned for"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    channel = forms.ChoiceField(label=_("method"), choices=Interaction.Channel.choices)
    purpose = forms.CharField(label=pgettext_lazy("contact plan", "purpose"), max_length=200)
    # The reminder the plan was made from (the calendar's "Plan a contact"): marked done with it.
    reminder = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from steward.segments.models import Segment
        from steward.segments.permissions import VIEW as SEGMENT_VIEW
        from steward.tags.models import CustomerGroup
        from steward.tags.permissions import GROUP_VIEW

        groups = CustomerGroup.objects.visible_to(self.user, GROUP_VIEW).order_by("name")[:500]
        segments = Segment.objects.visible_to(self.user, SEGMENT_VIEW).order_by("name")[:500]
        self.fields["group"].choices = [("", "---------")] + [(g.pk, g.name) for g in groups]
        self.fields["segment"].choices = [("", "---------")] + [(s.pk, s.name) for s in segments]

    def clean(self):
        from steward.customers.models import Customer

        cleaned = super().clean()
        chosen = [name for name in ("customers", "group", "segment") if cleaned.get(name)]
        if len(chosen) != 1:
            raise forms.ValidationError(_("Choose the customers one way: numbers, a group or a segment."))
        if cleaned.get("customers"):
            numbers = [n for n in re.split(r"[\s,，;；]+", cleaned["customers"]) if n]
            if len(numbers) > MAX_NUMBERS:
                self.add_error("customers", _("Name at most 2,000 customer numbers; use a group for more."))
                return cleaned
            found = dict(Customer.objects.visible_to(self.user, ADD).filter(cif__in=numbers).values_list("cif", "pk"))
            missing = [n for n in numbers if n not in found]
            if missing:
                self.add_error(
                    "customers",
                    _("No customer you may serve has the number %(numbers)s.") % {"numbers": ", ".join(missing[:10])},
                )
            cleaned["customer_ids"] = list(found.values())
        return cleaned

    def customer_ids(self):
        """The customers chosen, as the user may see them now."""
        data = self.cleaned_data
        if data.get("customer_ids") is not None:
            return data["customer_ids"]
        if data.get("group"):
            from steward.tags import services as tags
            from steward.tags.models import CustomerGroup

            group = CustomerGroup.objects.get(pk=data["group"])
            return list(tags.members(self.user, group).values_list("pk", flat=True))
        from steward.segments import services as segments
        from steward.segments.models import Segment

        segment = Segment.objects.get(pk=data["segment"])
        return list(segments.members(self.user, segment, timezone.localdate()).values_list("pk", flat=True))


class CompleteForm(StewardForm):
    """The contact that completes the plan (written to the interaction record)."""

    outcome = forms.ChoiceField(label=_("outcome"), choices=Interaction.Outcome.choices)
    occurred_at = forms.DateTimeField(
        label=_("when"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    duration_minutes = forms.IntegerField(label=_("duration (minutes)"), required=False, min_value=0, max_value=1440)
    summary = forms.CharField(
        label=_("summary"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_step = forms.CharField(label=_("next step"), required=False, max_length=500)

    def __init__(self, *args, channel: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # The outcomes that fit the plan's method: a call is reached or not answered, a message
        # sent or failed (the interaction record's own rule, MANUAL_OUTCOMES).
        if channel:
            from steward.interactions.services import MANUAL_OUTCOMES

            allowed = MANUAL_OUTCOMES.get(channel)
            if allowed:
                labels = dict(Interaction.Outcome.choices)
                self.fields["outcome"].choices = [(value, labels[value]) for value in allowed]

    @staticmethod
    def default_outcome(channel: str) -> str:
        from steward.interactions.services import MANUAL_OUTCOMES

        allowed = MANUAL_OUTCOMES.get(channel) or (Interaction.Outcome.REACHED,)
        return Interaction.Outcome.REACHED if Interaction.Outcome.REACHED in allowed else allowed[0]
