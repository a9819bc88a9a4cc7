from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from steward.core.forms import StewardForm, StewardModelForm
from steward.interactions.forms import LOCAL_INPUT, LocalDateTimeInput
from steward.interactions.models import NEXT_STEP_MAX, SUMMARY_MAX, Interaction
from steward.leads.models import Institution, Lead, LeadPool, Opportunity, ProtectionRule, RegionRoute

DATETIME_FORMATS = [LOCAL_INPUT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


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
    # Set when the form was opened from a search that found no customer (LEAD-12).
    from_search = forms.CharField(required=False, widget=forms.HiddenInput)


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


class FollowUpForm(StewardForm):
    """A follow-up on a lead (LEAD-10): the contact as an interaction, and where it leaves the lead
    (its stage; invalid with a reason; the next appointment)."""

    channel = forms.ChoiceField(label=_("channel"), choices=Interaction.Channel.choices)
    direction = forms.ChoiceField(
        label=_("direction"), choices=Interaction.Direction.choices, initial=Interaction.Direction.OUTBOUND
    )
    occurred_at = forms.DateTimeField(label=_("occurred at"), widget=LocalDateTimeInput, input_formats=DATETIME_FORMATS)
    duration_minutes = forms.IntegerField(label=_("duration (minutes)"), required=False, min_value=0, max_value=24 * 60)
    outcome = forms.ChoiceField(
        label=_("outcome"), choices=Interaction.Outcome.choices, initial=Interaction.Outcome.REACHED
    )
    summary = forms.CharField(
        label=_("summary"), required=False, max_length=SUMMARY_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    next_step = forms.CharField(label=_("next step"), required=False, max_length=NEXT_STEP_MAX)
    stage = forms.ChoiceField(label=_("Stage after this follow-up"), required=False)
    invalid_reason = forms.CharField(
        label=_("Why invalid"), required=False, max_length=200, help_text=_("Only when the stage is Invalid.")
    )
    appointment_at = forms.DateTimeField(
        label=_("Next appointment"), required=False, widget=LocalDateTimeInput, input_formats=DATETIME_FORMATS
    )
    appointment_note = forms.CharField(label=_("What the appointment is for"), required=False, max_length=200)

    def __init__(self, *args, lead=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("occurred_at", timezone.localtime().replace(second=0, microsecond=0))
        self.fields["channel"].initial = Interaction.Channel.CALL
        choices = [("", _("Unchanged"))]
        if lead is not None:
            from steward.leads.followups import FORWARD

            at = FORWARD.index(lead.stage) if lead.stage in FORWARD else 0
            choices += [(s.value, s.label) for s in FORWARD[at + 1 :]]
        choices.append((Lead.Stage.INVALID.value, Lead.Stage.INVALID.label))
        self.fields["stage"].choices = choices


class StageForm(StewardForm):
    stage = forms.ChoiceField(label=_("Stage"))
    invalid_reason = forms.CharField(
        label=_("Why invalid"), required=False, max_length=200, help_text=_("Only when the stage is Invalid.")
    )

    def __init__(self, *args, lead=None, **kwargs):
        super().__init__(*args, **kwargs)
        from steward.leads.followups import FORWARD

        at = FORWARD.index(lead.stage) if lead is not None and lead.stage in FORWARD else 0
        self.fields["stage"].choices = [(s.value, s.label) for s in FORWARD[at + 1 :]] + [
            (Lead.Stage.INVALID.value, Lead.Stage.INVALID.label)
        ]


class OpportunityForm(StewardModelForm):
    class Meta:
        model = Opportunity
        fields = ["title", "product", "amount", "stage", "expected_on"]
        widgets = {"expected_on": forms.DateInput(attrs={"type": "date"})}


class LeadPoolForm(StewardModelForm):
    """A pool's rules (LEAD-06), edited by its administrators."""

    class Meta:
        model = LeadPool
        fields = [
            "name",
            "claimers",
            "named_claimers",
            "daily_claim_cap",
            "max_held",
            "held_excludes_stages",
            "new_lead_cooling_hours",
            "reclaim_cooling_days",
        ]

    held_excludes_stages = forms.MultipleChoiceField(
        label=_("Stages not counted as held"),
        required=False,
        choices=[
            (s.value, s.label) for s in (Lead.Stage.NEW, Lead.Stage.CONTACTED, Lead.Stage.INTENT, Lead.Stage.VALID)
        ],
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from steward.org.models import Employee

        pool = self.instance
        people = Employee.objects.filter(is_active=True).exclude(status=Employee.Status.LEFT)
        if pool.pk and pool.org_id:
            people = people.filter(org__path__startswith=pool.org.path)
        self.fields["named_claimers"].queryset = people.order_by("name")
        self.fields["named_claimers"].required = False

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("claimers") == LeadPool.Claimers.NAMED and not cleaned.get("named_claimers"):
            self.add_error("named_claimers", _("Name at least one person, or let the org's staff claim."))
        return cleaned


class ProtectionRuleForm(StewardModelForm):
    level = forms.ChoiceField(label=_("Lead level"), required=False)

    class Meta:
        model = ProtectionRule
        fields = [
            "org",
            "level",
            "first_contact_days",
            "max_followups_without_intent",
            "min_valid_followups",
            "valid_window_days",
            "remind_days_before",
            "reclaim_to",
            "reclaim_pool",
            "reclaim_person",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from steward.leads.models import Lead as LeadModel
        from steward.org.models import Employee, Org

        self.fields["level"].choices = [("", _("Every level")), *LeadModel.Level.choices]
        user = self.user
        self.fields["org"].queryset = (
            Org.objects.visible_to(user, "leads.pool:change").order_by("path") if user else Org.objects.none()
        )
        self.fields["org"].required = False
        self.fields["reclaim_pool"].queryset = (
            LeadPool.objects.visible_to(user, "leads.pool:change").exclude(kind=LeadPool.Kind.INVALID)
            if user
            else LeadPool.objects.none()
        )
        self.fields["reclaim_person"].queryset = (
            Employee.objects.visible_to(user, "leads.pool:change").filter(is_active=True).order_by("name")
            if user
            else Employee.objects.none()
        )

    def clean(self):
        cleaned = super().clean()
        target = cleaned.get("reclaim_to")
        if target == ProtectionRule.ReclaimTo.POOL and not cleaned.get("reclaim_pool"):
            self.add_error("reclaim_pool", _("Choose the pool reclaimed leads go to."))
        if target == ProtectionRule.ReclaimTo.PERSON and not cleaned.get("reclaim_person"):
            self.add_error("reclaim_person", _("Choose the person reclaimed leads go to."))
        return cleaned


class InstitutionForm(StewardModelForm):
    class Meta:
        model = Institution
        fields = ["code", "name", "kind", "org", "is_active"]
