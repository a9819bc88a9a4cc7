from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from steward.agenda.models import TEXT_MAX, TITLE_MAX, CalendarNote
from steward.core.forms import StewardModelForm

LOCAL_INPUT = "%Y-%m-%dT%H:%M"
INPUT_FORMATS = [LOCAL_INPUT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"]


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=LOCAL_INPUT)


class CalendarNoteForm(StewardModelForm):
    """A note in my calendar: title, text, when (a time, or whole days), optionally about a customer
    of mine (by customer number)."""

    customer_number = forms.CharField(label=_("customer number"), max_length=32, required=False)

    class Meta:
        model = CalendarNote
        fields = ["title", "text", "all_day", "starts_at", "ends_at"]
        widgets = {
            "starts_at": LocalDateTimeInput,
            "ends_at": LocalDateTimeInput,
            "text": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {"all_day": _("Whole days: only the dates count.")}

    field_order = ["title", "all_day", "starts_at", "ends_at", "customer_number", "text"]

    def __init__(self, *args, day=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].max_length = TITLE_MAX
        self.fields["text"].max_length = TEXT_MAX
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = INPUT_FORMATS
        if self.instance.pk is not None and self.instance.customer_id:
            self.initial["customer_number"] = self.instance.customer.cif
            self.fields["customer_number"].help_text = self.instance.customer.name
        if not self.is_bound and self.instance.pk is None:
            now = timezone.localtime().replace(minute=0, second=0, microsecond=0)
            if day is not None:
                now = now.replace(year=day.year, month=day.month, day=day.day, hour=9)
            self.initial.setdefault("starts_at", now)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("starts_at"), cleaned.get("ends_at")
        for name, moment in (("starts_at", start), ("ends_at", end)):
            if moment is not None and not (1900 <= moment.year <= 2200):
                self.add_error(name, _("Give a date between 1900 and 2200."))
        start, end = cleaned.get("starts_at"), cleaned.get("ends_at")
        if end is not None and start is not None and end < start:
            self.add_error("ends_at", _("The end must not come before the start."))
        return cleaned
