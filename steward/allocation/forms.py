from django import forms
from django.utils.translation import gettext_lazy as _

from steward.allocation.models import AllocationRule, Method
from steward.allocation.permissions import CHANGE, RUN
from steward.core.forms import StewardForm, StewardModelForm
from steward.leads.models import Lead, LeadPool
from steward.org.models import Employee, Org


def _pools_in_scope(user, permission):
    return (
        LeadPool.objects.visible_to(user, permission)
        .filter(kind__in=[LeadPool.Kind.PUBLIC, LeadPool.Kind.DEPARTMENT])
        .select_related("org")
        .order_by("org__path", "kind", "name")
    )


def _people_in_scope(user, permission):
    return (
        Employee.objects.visible_to(user, permission)
        .exclude(status=Employee.Status.LEFT)
        .select_related("org")
        .order_by("org__path", "name")
    )


class PoolChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.org.name} · {obj.name}"


class PeopleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name} ({obj.employee_no}) · {obj.org.name}"


class AllocationRuleForm(StewardModelForm):
    """A rule (LEAD-08): its org and pool, which of the pool's leads, to whom, how and when. The
    filter's criteria are separate fields here, stored together as the rule's lead filter."""

    stages = forms.MultipleChoiceField(
        label=_("only leads at the stages"),
        choices=Lead.Stage.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    levels = forms.MultipleChoiceField(
        label=_("only leads of the levels"),
        choices=Lead.Level.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sources = forms.MultipleChoiceField(
        label=_("only leads from the sources"),
        choices=Lead.Source.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    campaign = forms.CharField(label=_("only leads of the campaign"), max_length=100, required=False)
    import_number = forms.CharField(label=_("only leads of the import number"), max_length=40, required=False)
    created_within_days = forms.IntegerField(
        label=_("only leads created within days"), min_value=1, max_value=3650, required=False
    )
    source_pool = PoolChoiceField(label=_("source pool"), queryset=LeadPool.objects.none())
    target_employees = PeopleChoiceField(
        label=_("target people"),
        queryset=Employee.objects.none(),
        required=False,
        help_text=_("Direct allocation: the people who receive the leads."),
    )

    FILTER_FIELDS = ("stages", "levels", "sources", "campaign", "import_number", "created_within_days")

    class Meta:
        model = AllocationRule
        fields = [
            "name",
            "org",
            "source_pool",
            "path",
            "method",
            "target_orgs",
            "target_employees",
            "daily_cap",
            "total_cap",
            "per_run_limit",
            "mode",
            "run_at",
            "is_active",
        ]
        widgets = {"run_at": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        orgs = Org.objects.visible_to(self.user, CHANGE).filter(is_active=True).order_by("path")
        self.fields["org"].queryset = orgs
        self.fields["target_orgs"].queryset = orgs
        self.fields["source_pool"].queryset = _pools_in_scope(self.user, CHANGE)
        self.fields["target_employees"].queryset = _people_in_scope(self.user, CHANGE)
        for name in self.FILTER_FIELDS:
            self.initial.setdefault(name, (self.instance.lead_filter or {}).get(name))
        # Criteria after the pool, in the order a person reads the rule.
        order = list(self.fields)
        for name in self.FILTER_FIELDS:
            order.remove(name)
        at = order.index("source_pool") + 1
        self.order_fields(order[:at] + list(self.FILTER_FIELDS) + order[at:])

    def clean(self):
        cleaned = super().clean()
        self.instance.lead_filter = {
            name: cleaned.get(name) for name in self.FILTER_FIELDS if cleaned.get(name) not in (None, "", [])
        }
        return cleaned


class ManualAllocationForm(StewardForm):
    """Manual allocation (LEAD-08): leads picked from a pool, people picked, a method."""

    pool = PoolChoiceField(label=_("pool"), queryset=LeadPool.objects.none())
    leads = forms.ModelMultipleChoiceField(label=_("leads"), queryset=Lead.objects.none(), required=False)
    all_waiting = forms.BooleanField(label=_("every lead waiting in the pool"), required=False)
    targets = PeopleChoiceField(label=_("people"), queryset=Employee.objects.none())
    method = forms.ChoiceField(label=_("method"), choices=Method.choices, initial=Method.EVEN)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pool"].queryset = _pools_in_scope(self.user, RUN)
        self.fields["targets"].queryset = _people_in_scope(self.user, RUN)
        pool = self.chosen_pool()
        if pool is not None:
            self.fields["leads"].queryset = self.waiting(pool)

    def chosen_pool(self):
        value = self.data.get("pool") if self.is_bound else self.initial.get("pool")
        try:
            return self.fields["pool"].queryset.filter(pk=int(value)).first() if value else None
        except (TypeError, ValueError):
            return None

    def waiting(self, pool):
        return (
            Lead.objects.visible_to(self.user, RUN)
            .filter(pool=pool, holder__isnull=True, merged_into__isnull=True)
            .order_by("pooled_at", "pk")
        )

    def clean(self):
        cleaned = super().clean()
        pool = cleaned.get("pool")
        if pool is not None and cleaned.get("all_waiting"):
            cleaned["lead_ids"] = list(self.waiting(pool).values_list("pk", flat=True))
        else:
            cleaned["lead_ids"] = [lead.pk for lead in cleaned.get("leads") or []]
        if pool is not None and not cleaned["lead_ids"]:
            self.add_error("leads", _("Tick the leads to allocate, or every lead waiting in the pool."))
        return cleaned
