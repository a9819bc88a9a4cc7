"""Mass SMS with approval (MKT-14, CUS-04): an RM applies to send one text to a customer group, a
segment or a selection; their supervisor decides (the approvals engine); on approval the SMS is
queued to every recipient the applicant may serve, through the one channel layer — so
subscriptions, opt-outs and the send window apply, and each recipient's delivery is recorded
with an interaction. The applicant's "My SMS applications" is the applications list of this type.
"""

from __future__ import annotations

import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from steward.approvals.registry import SUPERVISOR, ApplicationType, Step, application_types
from steward.channels.permissions import MASS_SMS_APPROVE as APPROVE
from steward.channels.permissions import SEND
from steward.core.errors import DomainError

KEY = "channels.mass_sms"
MAX_NUMBERS = 2000
BODY_MAX = 500


class MassSmsForm(forms.Form):
    name = forms.CharField(label=_("Name of the mailing"), max_length=100)
    customers = forms.CharField(
        label=_("Customer numbers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Separated by spaces or commas; or choose a group or a segment instead."),
    )
    # Choices are read for whoever is acting (the request's user: the approvals engine builds the
    # type's form without one), each time the form is drawn or validated.
    group = forms.TypedChoiceField(
        label=_("or a customer group"), required=False, coerce=int, empty_value=None, choices=lambda: _groups()
    )
    segment = forms.TypedChoiceField(
        label=_("or a segment"), required=False, coerce=int, empty_value=None, choices=lambda: _segments()
    )
    body = forms.CharField(
        label=_("Text"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Customer fields in braces: {name}, {surname}, {title}, {rm_name}, {branch}."),
    )


def _acting_user():
    from steward.audit.context import current

    user = current().current_actor()
    return user if getattr(user, "is_authenticated", False) else None


def _groups() -> list:
    from steward.tags.models import CustomerGroup
    from steward.tags.permissions import GROUP_VIEW

    user = _acting_user()
    groups = CustomerGroup.objects.visible_to(user, GROUP_VIEW).order_by("name")[:500] if user else []
    return [("", "---------")] + [(g.pk, g.name) for g in groups]


def _segments() -> list:
    from steward.segments.models import Segment
    from steward.segments.permissions import VIEW as SEGMENT_VIEW

    user = _acting_user()
    segments = Segment.objects.visible_to(user, SEGMENT_VIEW).order_by("name")[:500] if user else []
    return [("", "---------")] + [(s.pk, s.name) for s in segments]


def audience(submitter, payload: dict):
    """The recipients as the applicant may serve them now (a group's or segment's members
    change until the SMS goes out; the scope is checked again then)."""
    from steward.customers.models import Customer

    visible = Customer.objects.visible_to(submitter, SEND)
    if payload.get("group_id"):
        from steward.tags.models import CustomerGroup, GroupMember

        if not CustomerGroup.objects.filter(pk=payload["group_id"]).exists():
            raise DomainError(gettext("The customer group no longer exists."), field="group")
        return visible.filter(pk__in=GroupMember.objects.filter(group_id=payload["group_id"]).values("customer_id"))
    if payload.get("segment_id"):
        from steward.segments import services as segments
        from steward.segments.models import Segment

        segment = Segment.objects.filter(pk=payload["segment_id"]).first()
        if segment is None:
            raise DomainError(gettext("The segment no longer exists."), field="segment")
        members = segments.members(submitter, segment, timezone.localdate()).values("pk")
        return visible.filter(pk__in=members)
    return visible.filter(pk__in=payload.get("customer_ids", []))


class MassSms(ApplicationType):
    key = KEY
    label = _("Mass SMS")
    description = _("Send one text to a customer group, a segment or a selection; decided by your supervisor.")
    form_class = MassSmsForm
    steps = (Step(_("Supervisor approval"), SUPERVISOR, permission=APPROVE),)
    submit_permission = SEND

    def prepare(self, cleaned, submitter):
        from steward.channels import templating
        from steward.customers.models import Customer

        chosen = [name for name in ("customers", "group", "segment") if cleaned.get(name)]
        if len(chosen) != 1:
            raise DomainError(gettext("Choose the recipients one way: numbers, a group or a segment."), "customers")
        templating.parse(cleaned["body"], templating.CUSTOMER_FIELDS, what="body")
        payload = {"name": cleaned["name"].strip(), "body": cleaned["body"].strip()}
        if cleaned.get("customers"):
            numbers = [n for n in re.split(r"[\s,;，；]+", cleaned["customers"]) if n]
            if len(numbers) > MAX_NUMBERS:
                raise DomainError(gettext("Name at most 2,000 customer numbers; use a group for more."), "customers")
            found = dict(Customer.objects.visible_to(submitter, SEND).filter(cif__in=numbers).values_list("cif", "pk"))
            missing = [n for n in numbers if n not in found]
            if missing:
                raise DomainError(
                    gettext("No customer you may serve has the number %(numbers)s.")
                    % {"numbers": ", ".join(missing[:10])},
                    "customers",
                )
            payload["customer_ids"] = sorted(set(found.values()))
            payload["audience"] = gettext("%(count)s customers named") % {"count": len(payload["customer_ids"])}
        elif cleaned.get("group"):
            payload["group_id"] = cleaned["group"]
            from steward.tags.models import CustomerGroup

            payload["audience"] = CustomerGroup.objects.get(pk=cleaned["group"]).name
        else:
            payload["segment_id"] = cleaned["segment"]
            from steward.segments.models import Segment

            payload["audience"] = Segment.objects.get(pk=cleaned["segment"]).name
        payload["recipients"] = audience(submitter, payload).count()
        if not payload["recipients"]:
            raise DomainError(gettext("Nobody you may serve is among the recipients."), "customers")
        return payload

    def default_title(self, payload):
        return gettext("Mass SMS “%(name)s” to %(count)s customers") % {
            "name": payload["name"],
            "count": f"{payload['recipients']:,}",
        }

    def display(self, payload):
        return [
            (gettext("Name of the mailing"), payload.get("name", "")),
            (gettext("Recipients"), f"{payload.get('audience', '')} · {payload.get('recipients', 0):,}"),
            (gettext("Text"), payload.get("body", "")),
        ]

    def on_approved(self, application, actor):
        """Queue the SMS as the applicant (their scope), marketing purpose, one batch."""
        from steward.channels.services import queue_messages

        submitter = application.submitter
        result = queue_messages(
            submitter,
            "sms",
            audience(submitter, application.payload),
            body=application.payload["body"],
            purpose="marketing",
            batch=application.payload["name"],
        )
        if result.batch is not None:
            application.payload = {**application.payload, "batch_id": result.batch.pk}
            application.save(update_fields=["payload"])


def register_types() -> None:
    if application_types.get(KEY) is None:
        application_types.register(MassSms())
