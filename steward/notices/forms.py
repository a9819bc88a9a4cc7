from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from steward.access.models import Role
from steward.core.forms import StewardModelForm
from steward.notices.models import Notice
from steward.org.models import Org

LOCAL_INPUT = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=LOCAL_INPUT)


class NoticeForm(StewardModelForm):
    """The notice editor; the org and role choices narrow to what the author may address."""

    class Meta:
        model = Notice
        fields = ["title", "body", "level", "audience", "orgs", "roles", "valid_from", "valid_until"]
        widgets = {
            "body": forms.Textarea(attrs={"rows": 8}),
            "audience": forms.RadioSelect,
            "roles": forms.CheckboxSelectMultiple,
            "orgs": forms.SelectMultiple(attrs={"size": 8}),
            "valid_from": LocalDateTimeInput,
            "valid_until": LocalDateTimeInput,
        }
        help_texts = {
            "orgs": _("For “Staff of chosen orgs”: each org includes everything below it."),
            "roles": _("For “Holders of chosen roles”."),
            "valid_until": _("Leave empty to keep the notice until it is unpublished."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        permission = "notices.notice:change" if self.instance.pk else "notices.notice:add"
        self.fields["orgs"].queryset = Org.objects.visible_to(self.user, permission).filter(is_active=True)
        self.fields["roles"].queryset = Role.objects.filter(is_active=True).order_by("code")
        self.fields["audience"].widget.attrs["class"] = "form-check-input"
        if not self.instance.pk and not self.is_bound:
            self.initial.setdefault("valid_from", timezone.localtime().replace(second=0, microsecond=0))
        for name in ("valid_from", "valid_until"):
            self.fields[name].input_formats = [LOCAL_INPUT, "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
