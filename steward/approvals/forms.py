"""Forms of the application pages, and the payload forms of the built-in types."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from steward.approvals.registry import RESERVED_FIELDS
from steward.basedata.calendar import business_days_between
from steward.basedata.services import code_choices
from steward.core.forms import StewardForm

LEAVE_TYPE_TABLE = "leave_type"
MAX_LEAVE_DAYS = 366


# ---------------------------------------------------------------- payload forms of the built-in types


# Statutory maternity leave (98 days) runs in calendar days; every other kind counts business days.
CALENDAR_DAY_LEAVE_TYPES = frozenset({"maternity"})


class LeaveForm(forms.Form):
    """请假申请 — what is asked for: a kind of leave between two dates."""

    leave_type = forms.ChoiceField(label=_("Leave type"))
    start_date = forms.DateField(label=pgettext_lazy("leave", "From"), widget=forms.DateInput(attrs={"type": "date"}))
    end_date = forms.DateField(label=_("To (inclusive)"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leave_type"].choices = code_choices(LEAVE_TYPE_TABLE)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if isinstance(start, dt.date) and isinstance(end, dt.date):
            if end < start:
                self.add_error("end_date", _("The leave cannot end before it starts."))
            elif (end - start).days + 1 > MAX_LEAVE_DAYS:
                self.add_error("end_date", _("A leave may last at most %(days)s days.") % {"days": MAX_LEAVE_DAYS})
            elif cleaned.get("leave_type") not in CALENDAR_DAY_LEAVE_TYPES and business_days_between(start, end) == 0:
                self.add_error(
                    "end_date",
                    _(
                        "From %(start)s to %(end)s there is no business day (weekends and public holidays): nothing to take."
                    )
                    % {"start": start.isoformat(), "end": end.isoformat()},
                )
        return cleaned


class ActivityProposalForm(forms.Form):
    """活动签呈 — a proposed activity (salon, customer event) with its budget."""

    name = forms.CharField(label=_("Activity"), max_length=100)
    activity_date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    budget = forms.DecimalField(label=_("Budget (CNY)"), max_digits=20, decimal_places=2, min_value=0)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000)


# ---------------------------------------------------------------- page forms


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each is checked by the service (type, size, count)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ApplicationForm(StewardForm):
    """A new application: the common fields plus the fields of the chosen type's payload form."""

    title = forms.CharField(
        label=_("Title"), max_length=200, required=False, help_text=_("Leave empty for a title made from the details.")
    )
    reason = forms.CharField(label=_("Reason"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)
    handler = forms.ModelChoiceField(
        label=_("Handler"),
        queryset=None,
        required=False,
        empty_label=_("Any of them"),
        help_text=_("Who decides the first step; everyone offered may decide unless you pick one."),
    )
    attachments = MultipleFileField(label=_("Attachments"), required=False)

    def __init__(self, *args, application_type, **kwargs):
        from steward.approvals.services import attachment_limits, first_step_candidates

        super().__init__(*args, **kwargs)
        self.application_type = application_type
        payload_fields = application_type.form_class().fields
        self.payload_field_names = [name for name in payload_fields if name not in RESERVED_FIELDS]
        ordered = {"title": self.fields["title"]}
        for name in self.payload_field_names:
            field = payload_fields[name]
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
            ordered[name] = field
        for name in ("reason", "handler", "attachments"):
            ordered[name] = self.fields[name]
        self.fields = ordered
        self.fields["handler"].queryset = first_step_candidates(self.user, application_type)
        max_bytes, max_count, extensions = attachment_limits()
        self.fields["attachments"].help_text = _("Up to %(count)s files of at most %(size)s each: %(types)s.") % {
            "count": max_count,
            "size": filesizeformat(max_bytes),
            "types": ", ".join(e.lstrip(".") for e in extensions),
        }
        self.fields["attachments"].widget.attrs["accept"] = ",".join(extensions)

    def payload(self) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.payload_field_names}


class DecisionForm(StewardForm):
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when rejecting."),
        max_length=2000,
    )
    step = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ForwardForm(StewardForm):
    to = forms.ModelChoiceField(label=_("Forward to"), queryset=None)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    step = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        from steward.approvals.services import forward_candidates

        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = forward_candidates(self.instance, self.user)
        self.fields["to"].label_from_instance = lambda person: f"{person.name} ({person.employee_no}) · {person.org}"
