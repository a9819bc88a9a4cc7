from django import forms
from django.utils.translation import gettext_lazy as _

from steward.basedata.models import CalendarDay, CodeTable, SystemParameter
from steward.core.forms import StewardForm, StewardModelForm


class CodeTableForm(StewardModelForm):
    class Meta:
        model = CodeTable
        fields = ["code", "name", "name_en", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["code"].disabled = True


class CodeItemsForm(StewardForm):
    """All items of one table as lines: ``code | 中文 | English`` (one per line, in order)."""

    items = forms.CharField(
        label=_("Items"),
        widget=forms.Textarea(attrs={"rows": 14, "class": "form-control font-monospace"}),
        help_text=_("One item per line: code | Chinese label | English label. Removed lines are deactivated."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None and not self.is_bound:
            self.fields["items"].initial = "\n".join(
                f"{item.code} | {item.label} | {item.label_en}"
                for item in self.instance.items.filter(is_active=True).order_by("sort_order", "code")
            )

    def clean_items(self):
        parsed = []
        for number, line in enumerate(self.cleaned_data["items"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [part.strip() for part in line.split("|")]
            if len(parts) < 2 or len(parts) > 3:
                raise forms.ValidationError(
                    _("Line %(line)s: expected “code | Chinese label | English label”.") % {"line": number}
                )
            parsed.append(
                {
                    "code": parts[0],
                    "label": parts[1],
                    "label_en": parts[2] if len(parts) > 2 else "",
                    "sort_order": len(parsed) + 1,
                    "is_active": True,
                    "row": number,  # errors name the line the user sees, blank lines included
                }
            )
        return parsed


class ParameterForm(StewardModelForm):
    class Meta:
        model = SystemParameter
        fields = ["value"]
        widgets = {"value": forms.TextInput()}


class CalendarDayForm(StewardModelForm):
    class Meta:
        model = CalendarDay
        fields = ["date", "kind", "name", "name_en"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}


class CalendarImportForm(StewardForm):
    """A year's public holidays pasted at once, e.g. from the State Council's annual notice."""

    lines = forms.CharField(
        label=_("Days"),
        widget=forms.Textarea(attrs={"rows": 14, "class": "form-control font-monospace"}),
        help_text=_(
            "One day or range per line: date or first..last date | holiday or workday | Chinese name | "
            "English name, e.g. 2026-10-01..2026-10-07 | holiday | 国庆节 | National Day. "
            "Days already recorded are replaced."
        ),
    )
