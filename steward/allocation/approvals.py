"""The application for leads (LEAD-08: "RMs may apply for leads; the supervisor decides through the
approvals engine"): a relationship manager names a pool they may claim from and how many of its
waiting leads they want (or which ones); on approval the leads are handed over to them."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from steward.allocation.permissions import APPLY, APPROVE
from steward.approvals.registry import SUPERVISOR, ApplicationType, Step, application_types
from steward.core.errors import DomainError

KEY = "allocation.lead_request"
MOST_LEADS = 500


class LeadRequestForm(forms.Form):
    pool = forms.ModelChoiceField(label=_("Pool"), queryset=None)
    count = forms.IntegerField(
        label=_("Number of leads"),
        min_value=1,
        max_value=MOST_LEADS,
        required=False,
        help_text=_("The longest-waiting leads of the pool."),
    )
    leads = forms.CharField(
        label=_("Or these leads (numbers)"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Separated by spaces or commas."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from steward.leads.models import LeadPool

        self.fields["pool"].queryset = LeadPool.objects.filter(
            kind__in=[LeadPool.Kind.PUBLIC, LeadPool.Kind.DEPARTMENT]
        ).select_related("org")

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("count") and not (cleaned.get("leads") or "").strip():
            raise forms.ValidationError(gettext("Say how many leads you ask for, or which ones."))
        return cleaned


class LeadRequest(ApplicationType):
    key = KEY
    label = _("Application for leads")
    description = _("Ask for leads waiting in a pool of your org; decided by your supervisor.")
    form_class = LeadRequestForm
    steps = (Step(_("Supervisor approval"), SUPERVISOR, permission=APPROVE),)
    submit_permission = APPLY

    def prepare(self, cleaned, submitter):
        from steward.leads import pools

        pool = cleaned["pool"]
        if not pools.claimable_pools(submitter).filter(pk=pool.pk).exists():
            raise DomainError(gettext("You may ask only for leads of a pool of your org or an org above it."), "pool")
        waiting = pools.claimable_leads(submitter).filter(pool=pool)
        payload = {"pool_id": pool.pk, "pool_name": pool.name}
        numbers = [token for token in re.split(r"[\s,;，；]+", cleaned.get("leads") or "") if token]
        if numbers:
            if len(numbers) > MOST_LEADS or not all(n.isascii() and n.isdigit() and len(n) <= 18 for n in numbers):
                raise DomainError(gettext("Name at most 500 lead numbers, digits only."), "leads")
            wanted = {int(n) for n in numbers}
            found = set(waiting.filter(pk__in=wanted).values_list("pk", flat=True))
            missing = sorted(wanted - found)
            if missing:
                raise DomainError(
                    gettext("Not waiting in this pool: %(list)s") % {"list": ", ".join(map(str, missing[:10]))},
                    "leads",
                )
            payload.update(lead_ids=sorted(found), count=len(found))
        else:
            available = waiting.count()
            if not available:
                raise DomainError(gettext("No lead is waiting in this pool."), "pool")
            payload["count"] = min(cleaned["count"], available)
        return payload

    def default_title(self, payload):
        return gettext("Application for %(count)s leads of %(pool)s") % {
            "count": payload["count"],
            "pool": payload["pool_name"],
        }

    def display(self, payload):
        rows = [(gettext("Pool"), payload.get("pool_name", "")), (gettext("Number of leads"), str(payload["count"]))]
        if payload.get("lead_ids"):
            rows.append((gettext("Leads"), ", ".join(map(str, payload["lead_ids"]))))
        return rows

    def on_approved(self, application, actor):
        from steward.allocation.services import apply_lead_request

        apply_lead_request(actor, application)


def register_types() -> None:
    if application_types.get(KEY) is None:
        application_types.register(LeadRequest())
