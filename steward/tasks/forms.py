import re

from django import forms
from django.utils.translation import gettext_lazy as _

from steward.core.errors import DomainError
from steward.core.forms import StewardForm, StewardModelForm
from steward.interactions.models import Interaction
from steward.tasks.models import Task, TaskCategory
from steward.tasks.permissions import MANAGE

MAX_NUMBERS = 20_000
CUSTOMER_VIEW = "customers.customer:view"


class TaskCategoryForm(StewardModelForm):
    class Meta:
        model = TaskCategory
        fields = ["name", "active"]


class TaskForm(StewardForm):
    """A new task (TASK-01 … TASK-04): what, whose, which type, and where its items come from —
    customer numbers, a saved segment (its definition, fixed now or dynamic), or for potential
    customers a lead filter."""

    title = forms.CharField(label=_("title"), max_length=200)
    category = forms.ModelChoiceField(label=_("category"), queryset=TaskCategory.objects.none())
    org = forms.ModelChoiceField(label=_("org"), queryset=None)
    description = forms.CharField(
        label=_("description"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    type = forms.ChoiceField(label=_("type"), choices=Task.Type.choices)
    method = forms.ChoiceField(
        label=_("distribution"),
        choices=Task.Method.choices,
        required=False,
        help_text=_("System-assigned tasks: random deals at random when there are fewer items than assignees."),
    )
    assignees = forms.ModelMultipleChoiceField(
        label=_("assignees"),
        queryset=None,
        required=False,
        help_text=_("Not for re-service: its items go to each customer's relationship manager."),
    )
    due_on = forms.DateField(label=_("due on"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    max_open_per_agent = forms.IntegerField(
        label=_("most open items per agent"),
        required=False,
        min_value=1,
        help_text=_("Random draw and active pick. Empty: no limit."),
    )
    subject = forms.ChoiceField(label=_("items are"), choices=Task.Subject.choices)
    source = forms.ChoiceField(
        label=_("source"),
        choices=Task.Source.choices,
        help_text=_("A dynamic condition is evaluated again every hour until the task is closed."),
    )
    customers = forms.CharField(
        label=_("customer numbers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("A fixed selection: customer numbers separated by spaces, commas or new lines."),
    )
    segment = forms.TypedChoiceField(label=_("or a segment's condition"), required=False, coerce=int, empty_value=None)
    lead_stage = forms.MultipleChoiceField(label=_("potential customers in the stages"), required=False, choices=())
    lead_campaign = forms.CharField(label=_("potential customers of the campaign"), required=False, max_length=100)
    lead_province = forms.CharField(
        label=_("potential customers of the mobile province"), required=False, max_length=100
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from steward.leads.models import Lead
        from steward.org.models import Employee, Org
        from steward.segments.models import Segment
        from steward.segments.permissions import VIEW as SEGMENT_VIEW

        self.fields["category"].queryset = TaskCategory.objects.filter(active=True)
        self.fields["org"].queryset = Org.objects.visible_to(self.user, MANAGE).filter(is_active=True).order_by("path")
        self.fields["assignees"].queryset = (
            Employee.objects.visible_to(self.user, MANAGE)
            .filter(is_active=True)
            .exclude(status=Employee.Status.LEFT)
            .order_by("org__path", "name")
        )
        segments = Segment.objects.visible_to(self.user, SEGMENT_VIEW).order_by("name")[:500]
        self.fields["segment"].choices = [("", "---------")] + [(s.pk, s.name) for s in segments]
        self.fields["lead_stage"].choices = [
            (value, label) for value, label in Lead.Stage.choices if value not in ("converted", "invalid")
        ]
        self.fields["org"].initial = getattr(self.user, "org_id", None)

    def clean(self):
        cleaned = super().clean()
        subject = cleaned.get("subject")
        if subject == Task.Subject.CUSTOMERS:
            chosen = [name for name in ("customers", "segment") if cleaned.get(name)]
            if len(chosen) != 1:
                raise forms.ValidationError(_("Choose the customers one way: numbers or a segment's condition."))
        return cleaned

    def source_arguments(self) -> dict:
        """The service's source arguments from the form: customer ids, or a condition. A number
        the user may not see is refused (DomainError on its field)."""
        from steward.customers.models import Customer
        from steward.segments.models import Segment

        data = self.cleaned_data
        if data["subject"] == Task.Subject.LEADS:
            condition = {}
            if data.get("lead_stage"):
                condition["stage"] = list(data["lead_stage"])
            if data.get("lead_campaign"):
                condition["campaign"] = data["lead_campaign"].strip()
            if data.get("lead_province"):
                condition["province"] = data["lead_province"].strip()
            return {"condition": condition or {"held": False}}
        if data.get("customers"):
            numbers = [n for n in re.split(r"[\s,，;；]+", data["customers"]) if n]
            if len(numbers) > MAX_NUMBERS:
                raise DomainError(_("Name at most 20,000 customer numbers; use a segment for more."), field="customers")
            visible = Customer.objects.visible_to(self.user, CUSTOMER_VIEW)
            found = {}
            for start in range(0, len(numbers), 900):
                found.update(visible.filter(cif__in=numbers[start : start + 900]).values_list("cif", "pk"))
            missing = [n for n in numbers if n not in found]
            if missing:
                raise DomainError(
                    _("No customer you may see has the number %(numbers)s.") % {"numbers": ", ".join(missing[:10])},
                    field="customers",
                )
            return {"customer_ids": list(found.values())}
        segment = Segment.objects.filter(pk=data["segment"]).first()
        return {"condition": segment.definition if segment is not None else {}}


class FinishItemForm(StewardForm):
    """Finish an item: the outcome in a few words and, for a customer, the contact made (recorded
    in the interaction record)."""

    outcome_note = forms.CharField(label=_("outcome"), required=False, max_length=500)
    record_contact = forms.BooleanField(label=_("record the contact made"), required=False, initial=True)
    channel = forms.ChoiceField(label=_("method"), choices=Interaction.Channel.choices, initial="call", required=False)
    outcome = forms.ChoiceField(
        label=_("result"), choices=Interaction.Outcome.choices, initial="reached", required=False
    )
    occurred_at = forms.DateTimeField(
        label=_("when"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
