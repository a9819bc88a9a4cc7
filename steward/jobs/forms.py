from django import forms
from django.utils.translation import gettext_lazy as _

from steward.core.errors import DomainError
from steward.core.forms import StewardForm
from steward.jobs import services


class InlineRadioSelect(forms.RadioSelect):
    template_name = "jobs/widgets/inline_radio.html"


class ScheduleForm(StewardForm):
    """A job's run cycle: a crontab expression or a plain interval. The service validates it."""

    kind = forms.ChoiceField(
        label=_("Run"),
        choices=[("crontab", _("At set times (crontab)")), ("interval", _("At a fixed interval"))],
        widget=InlineRadioSelect,
        initial="crontab",
    )
    crontab = forms.CharField(
        label=_("Crontab"),
        required=False,
        max_length=200,
        help_text=_(
            "Five fields: minute, hour, day of month, month, day of week — e.g. “0 3 * * *” is 03:00 every day, "
            "“*/15 8-18 * * 1-5” every 15 minutes from 08:00 to 18:59 on weekdays. Times are in the bank's time zone."
        ),
    )
    every = forms.IntegerField(label=_("Every"), required=False, min_value=1, max_value=services.MAX_INTERVAL_EVERY)
    period = forms.ChoiceField(
        label=_("Unit"),
        required=False,
        choices=[("minutes", _("minutes")), ("hours", _("hours")), ("days", _("days"))],
        initial="hours",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget.attrs["class"] = "form-check-input"
        schedule = services.schedule_of(self.instance.periodic_task) if self.instance is not None else None
        if schedule is not None and not self.is_bound:
            self.initial.update(
                {"kind": schedule.kind, "crontab": schedule.crontab, "every": schedule.every or None}
                | ({"period": schedule.period} if schedule.period else {})
            )

    def clean(self):
        # The service checks again on save; checking here too shows the error while typing.
        cleaned = super().clean()
        if "kind" in cleaned:
            try:
                services.validate_schedule(**self.schedule_arguments())
            except DomainError as error:
                self.add_error(error.field if error.field in self.fields else None, error.message)
        return cleaned

    def schedule_arguments(self) -> dict:
        data = self.cleaned_data
        if data["kind"] == "crontab":
            return {"crontab": data.get("crontab") or ""}
        return {"every": data.get("every"), "period": data.get("period")}
