from django import forms
from django.utils.translation import gettext_lazy as _

from steward.attendance.measures import measure_choices
from steward.attendance.models import AttendanceDay, Quota
from steward.attendance.permissions import ATTENDANCE_CHANGE, QUOTA_CHANGE
from steward.core.forms import StewardForm, StewardModelForm

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AttendanceRecordForm(StewardForm):
    """Attendance of one person or many (chosen, or everyone of an org), for one day or a range
    (OFF-07). The service checks the scope again and writes every person-day at once."""

    employees = forms.ModelMultipleChoiceField(
        label=_("employees"),
        queryset=None,
        required=False,
        help_text=_("Hold Ctrl (⌘ on a Mac) to choose several."),
    )
    org = forms.ModelChoiceField(
        label=_("or everyone of an org"),
        queryset=None,
        required=False,
        help_text=_("Everyone of the org and the orgs below it, who has not left."),
    )
    start = forms.DateField(label=_("first day"), widget=DATE_INPUT)
    end = forms.DateField(
        label=_("last day"), widget=DATE_INPUT, required=False, help_text=_("Empty: the first day only.")
    )
    status = forms.ChoiceField(label=_("attendance"), choices=AttendanceDay.Status.choices)
    note = forms.CharField(label=_("note"), max_length=200, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from steward.org.models import Employee, Org

        self.fields["employees"].queryset = (
            Employee.objects.visible_to(self.user, ATTENDANCE_CHANGE)
            .exclude(status=Employee.Status.LEFT)
            .order_by("org__path", "employee_no")
        )
        self.fields["employees"].widget.attrs["size"] = 10
        self.fields["org"].queryset = (
            Org.objects.visible_to(self.user, ATTENDANCE_CHANGE).filter(is_active=True).order_by("path")
        )

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("employees") and not cleaned.get("org"):
            self.add_error("employees", _("Choose employees, or an org."))
        return cleaned

    def employee_ids(self) -> list[int]:
        """The chosen people and, for an org, everyone of it and below (within the form's choices)."""
        from steward.access.scope import path_range_q

        ids = {employee.pk for employee in self.cleaned_data.get("employees") or ()}
        org = self.cleaned_data.get("org")
        if org is not None:
            below = self.fields["employees"].queryset.filter(path_range_q("org__path", org.path))
            ids |= set(below.values_list("pk", flat=True))
        return sorted(ids)


class QuotaForm(StewardModelForm):
    """A daily quota of one measure for a level and/or tier of an org and below (TASK-06)."""

    measure = forms.ChoiceField(label=_("measure"))
    level = forms.ChoiceField(label=_("employee level"), required=False)
    tier = forms.ChoiceField(label=_("employee tier"), required=False)

    class Meta:
        model = Quota
        fields = ["measure", "org", "level", "tier", "daily_target", "active_from", "active_to"]
        widgets = {"active_from": DATE_INPUT, "active_to": DATE_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from steward.basedata.services import code_choices
        from steward.org.models import Org

        self.fields["measure"].choices = measure_choices()
        self.fields["level"].choices = [("", _("Every level")), *code_choices("employee_level", blank=False)]
        self.fields["tier"].choices = [("", _("Every tier")), *code_choices("employee_tier", blank=False)]
        self.fields["org"].queryset = (
            Org.objects.visible_to(self.user, QUOTA_CHANGE).filter(is_active=True).order_by("path")
        )
