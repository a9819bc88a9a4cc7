from django import forms
from django.utils.translation import gettext_lazy as _

from steward.core.forms import StewardForm, StewardModelForm
from steward.worklog.models import WorkEntry, WorkflowTemplate


class WorkEntryForm(StewardModelForm):
    class Meta:
        model = WorkEntry
        fields = ["kind", "period", "on", "title", "details", "is_done"]
        widgets = {"on": forms.DateInput(attrs={"type": "date"}), "details": forms.Textarea(attrs={"rows": 5})}


class WorkItemForm(StewardForm):
    title = forms.CharField(label=_("title"), max_length=200)
    details = forms.CharField(
        label=_("details"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 4})
    )
    due_on = forms.DateField(label=_("due on"), widget=forms.DateInput(attrs={"type": "date"}))
    assignees = forms.MultipleChoiceField(label=_("give to"), widget=forms.SelectMultiple(attrs={"size": 8}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from steward.worklog.services import supervised_employees

        people = supervised_employees(self.user).select_related("org").order_by("org__path", "employee_no")
        self.fields["assignees"].choices = [(str(p.pk), f"{p.name} ({p.employee_no}) · {p.org.name}") for p in people]


class ProgressForm(StewardForm):
    progress = forms.IntegerField(label=_("progress (%)"), min_value=0, max_value=100)
    text = forms.CharField(label=_("what was done"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class GuidanceForm(StewardForm):
    text = forms.CharField(label=_("guidance"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class WorkflowTemplateForm(StewardModelForm):
    steps = forms.CharField(
        label=_("steps"),
        widget=forms.Textarea(attrs={"rows": 8, "class": "form-control font-monospace"}),
        help_text=_("One step per line: step | due within N business days of the start, e.g. “电话联系 | 3”."),
    )

    class Meta:
        model = WorkflowTemplate
        fields = ["name", "name_en", "description", "is_active", "steps"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and not self.is_bound:
            self.fields["steps"].initial = "\n".join(
                f"{step.title} | {step.due_business_days}" for step in self.instance.steps.order_by("order")
            )


class StartWorkflowForm(StewardForm):
    template = forms.ModelChoiceField(label=_("workflow"), queryset=WorkflowTemplate.objects.none())
    customers = forms.CharField(
        label=_("customer numbers"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One or more customer numbers, separated by spaces, commas or new lines."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = WorkflowTemplate.objects.filter(is_active=True)

    def clean_customers(self):
        import re

        from steward.customers.models import Customer
        from steward.worklog.permissions import WORKFLOW_START

        numbers = [n for n in re.split(r"[\s,，;；]+", self.cleaned_data["customers"]) if n]
        if len(numbers) > 2000:
            raise forms.ValidationError(_("Start at most 2,000 customers at once."))
        found = dict(
            Customer.objects.visible_to(self.user, WORKFLOW_START).filter(cif__in=numbers).values_list("cif", "pk")
        )
        missing = [n for n in numbers if n not in found]
        if missing:
            raise forms.ValidationError(
                _("No customer you may serve has the number %(numbers)s.") % {"numbers": ", ".join(missing[:10])}
            )
        return [found[n] for n in numbers]
