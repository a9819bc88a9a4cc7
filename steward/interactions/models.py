"""The interaction record (联系记录) — SVC-05, part of INT-05.

One row for every touch with a customer, whoever or whatever made it: an RM's call, visit or
branch meeting typed in by hand, and the automatic feeds — the SMS, e-mail and push channels
(steward.channels) and the call centre's CTI events and files. Later modules (leads, marketing,
contact plans) read and write the same record, so "when was this customer last contacted",
"how many contacts did this RM make" and the 360° view's service history have one answer.

Automatic feeds are idempotent: a row carries its channel's own reference (`external_ref`), unique
per `source`, so a feed re-delivered or re-run adds nothing (see docs/interactions.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from steward.holdings.models import CustomerDataQuerySet

SUMMARY_MAX = 2000
NEXT_STEP_MAX = 500
EXTERNAL_REF_MAX = 100
MAX_DURATION_SECONDS = 86400


class InteractionQuerySet(CustomerDataQuerySet):
    """Rows are visible exactly when their customer is (`visible_to(user, permission)`: the data
    scope and the confidentiality rule, CUS-10). A row without a customer (a lead's, later) is
    visible to nobody through this rule until the leads module adds its own."""

    def contacts(self):
        """The rows that count as a contact (`is_contact`)."""
        return self.filter(is_contact=True)

    def between(self, start, end):
        """Rows that occurred in [start, end)."""
        return self.filter(occurred_at__gte=start, occurred_at__lt=end)


class Interaction(models.Model):
    """One touch with a customer (SVC-05): who, how, when, with what result — and whether it
    counts as a contact (the customer was reached: a call answered, a visit or meeting held, a
    message sent or delivered; not a failed send or an unanswered call)."""

    class Channel(models.TextChoices):
        CALL = "call", _("Phone call")
        SMS = "sms", _("SMS")
        EMAIL = "email", _("E-mail")
        WECHAT = "wechat", _("WeChat")
        VISIT = "visit", _("Visit")
        BRANCH_MEETING = "branch_meeting", _("Meeting at the branch")
        APP_PUSH = "app_push", _("App notification")

    class Direction(models.TextChoices):
        OUTBOUND = "outbound", _("Outbound (we contacted the customer)")
        INBOUND = "inbound", _("Inbound (the customer contacted us)")

    class Outcome(models.TextChoices):
        REACHED = "reached", _("Reached the customer")
        NO_ANSWER = "no_answer", _("No answer")
        BUSY = "busy", _("Busy")
        LEFT_MESSAGE = "left_message", _("Left a message")
        SENT = "sent", _("Sent")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")
        DECLINED = "declined", _("Refused the contact")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by staff")
        SMS = "sms", _("SMS channel")
        EMAIL = "email", _("E-mail channel")
        PUSH = "push", _("App notification channel")
        CTI_EVENT = "cti_event", _("Call centre (CTI event)")
        CTI_FILE = "cti_file", _("Call centre (CTI file)")

    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="interactions",
        db_index=False,  # interaction_customer_time leads with it
    )
    # A follow-up on a potential customer (LEAD-10): the lead's, not a customer's, touch.
    lead = models.ForeignKey(
        "leads.Lead",
        verbose_name=_("potential customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="interactions",
        db_index=False,  # interaction_lead_time, partial: most rows are customers'
    )
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("employee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Who made the contact."),
        db_index=False,  # interaction_employee_time leads with it
    )
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    direction = models.CharField(_("direction"), max_length=10, choices=Direction.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    summary = models.TextField(_("summary"), max_length=SUMMARY_MAX, blank=True)
    next_step = models.CharField(_("next step"), max_length=NEXT_STEP_MAX, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, default=Source.MANUAL)
    external_ref = models.CharField(
        _("channel reference"),
        max_length=EXTERNAL_REF_MAX,
        blank=True,
        help_text=_("The sending channel's own reference; unique per source, so a feed re-run adds nothing."),
    )
    is_contact = models.BooleanField(_("counts as a contact"), default=False)
    # A follow-up on a lead that counts as valid (LEAD-10): it keeps the holder's protection.
    is_valid_followup = models.BooleanField(_("valid follow-up"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # interaction_created_by: only the rows typed in by hand have one
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = InteractionQuerySet.as_manager()

    # What the audit trail hides from readers who may not see the customer (CUS-10).
    audit_identity_fields = ("summary", "next_step", "customer")
    audit_hidden_label = _("Contact with a confidential customer")

    class Meta:
        ordering = ["-occurred_at", "-pk"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        indexes = [
            # A customer's history, newest first; the last contact of many customers at once.
            models.Index(fields=["customer", "occurred_at"], name="interaction_customer_time"),
            # An employee's contacts in a period (planned vs actual statistics).
            models.Index(fields=["employee", "occurred_at"], name="interaction_employee_time"),
            # The contact list, newest first, over a wide scope (a branch): read down the time.
            models.Index(fields=["occurred_at"], name="interaction_time"),
            # Who recorded a row (a user's deletion): the automatic feeds' rows have nobody, and
            # stay out of the index, so a feed's bulk insert does not write to it.
            models.Index(fields=["created_by"], condition=Q(created_by__isnull=False), name="interaction_created_by"),
            models.Index(fields=["lead", "occurred_at"], condition=Q(lead__isnull=False), name="interaction_lead_time"),
        ]
        constraints = [
            # Automatic feeds are idempotent: one row per channel reference and source.
            models.UniqueConstraint(
                fields=["source", "external_ref"],
                condition=~Q(external_ref=""),
                name="interaction_unique_external_ref",
            ),
            models.CheckConstraint(
                condition=Q(duration_seconds__isnull=True) | Q(duration_seconds__lte=MAX_DURATION_SECONDS),
                name="interaction_duration_at_most_a_day",
            ),
        ]

    def __str__(self) -> str:
        # No customer name or number: the audit trail shows this text (confidential customers).
        when = timezone.localtime(self.occurred_at).strftime("%Y-%m-%d %H:%M") if self.occurred_at else ""
        return f"{self.get_channel_display()} {when}".strip()

    def get_absolute_url(self) -> str:
        return reverse("interactions:detail", args=[self.pk])

    @classmethod
    def audit_hidden(cls, user):
        """The rows whose text `user` may not read in the audit trail: those of the confidential
        customers hidden from them (CUS-10)."""
        from steward.customers.models import Customer

        return cls.objects.filter(customer_id__in=Customer.audit_hidden(user).values("pk"))


# ---------------------------------------------------------------- the call centre's calls (CTI)

CALL_ID_MAX = 64
EXTENSION_MAX = 20


class CallRecordQuerySet(models.QuerySet):
    """A call matched to a customer is seen exactly when its customer is (scope + confidentiality);
    a call without a customer is seen through its employee (the org scope; "own" = one's own
    calls); one matched to nobody only by holders of the permission with the bank-wide scope."""

    def visible_to(self, user, permission: str):
        from steward.access.scope import SCOPE_ALL
        from steward.access.services import grants_for
        from steward.customers.models import Customer
        from steward.org.models import Employee

        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if not user.is_superuser:
            grants = grants_for(user, permission)
            if not grants:
                return self.none()
            bank_wide = any(grant.scope == SCOPE_ALL for grant in grants)
        else:
            bank_wide = True
        condition = Q(customer_id__in=Customer.objects.visible_to(user, permission).values("pk")) | Q(
            customer__isnull=True, employee_id__in=Employee.objects.visible_to(user, permission).values("pk")
        )
        if bank_wide:
            condition |= Q(customer__isnull=True, employee__isnull=True)
        return self.filter(condition)


class CallRecord(models.Model):
    """One call of the call centre (CTI), as its event or its daily call-detail file reported it
    (SVC-05, INT-05). The counterpart's number is never stored: only its keyed blind index (to
    find the customer by `Customer.mobile_index`) and a masked form for display (last 4 digits).
    The end-of-day job (`steward.interactions.calls.match_calls`) matches it to the customer and the
    employee and writes its interaction; what it could not match stays here with the reason."""

    class Outcome(models.TextChoices):
        ANSWERED = "answered", _("Answered")
        NO_ANSWER = "no_answer", _("No answer")
        BUSY = "busy", _("Busy")
        VOICEMAIL = "voicemail", _("Voicemail")
        FAILED = "failed", _("Failed")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the end-of-day matching")
        MATCHED = "matched", _("Matched")
        UNMATCHED = "unmatched", _("Not matched")

    class Reason(models.TextChoices):
        NONE = "", _("—")
        NO_NUMBER = "no_number", _("The call has no number")
        NO_CUSTOMER = "no_customer", _("No customer has this number")
        SEVERAL_CUSTOMERS = "several_customers", _("Several customers share this number")
        UNKNOWN_EMPLOYEE = "unknown_employee", _("Unknown extension or employee number")

    SOURCES = (("cti_event", _("Call centre (CTI event)")), ("cti_file", _("Call centre (CTI file)")))

    # Unique (call_unique_id below: a constraint, so no LIKE twin index; it is searched exactly).
    call_id = models.CharField(_("call id"), max_length=CALL_ID_MAX)
    source = models.CharField(_("source"), max_length=20, choices=SOURCES)
    data_date = models.DateField(_("data date"))
    direction = models.CharField(_("direction"), max_length=10, choices=Interaction.Direction.choices)
    started_at = models.DateTimeField(_("started at"))
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    # The number as its blind index (HMAC of the normalised digits) and as shown ("*******1234").
    number_index = models.CharField(max_length=64, blank=True, editable=False)
    number_masked = models.CharField(_("number"), max_length=24, blank=True)
    extension = models.CharField(_("extension"), max_length=EXTENSION_MAX, blank=True)
    employee_no = models.CharField(_("employee number"), max_length=20, blank=True)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # call_customer_time leads with it
        # The match's result, written only by the end-of-day job from the customer row it has just
        # read; no database-level check (PostgreSQL checks a foreign key row by row at commit:
        # 1,000,000 look-ups a day). Deleting a customer still clears it (on_delete, in Django).
        db_constraint=False,
    )
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("employee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,  # as customer's
        db_index=False,  # call_unmatched_employee
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices, blank=True, default="")
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    matched_at = models.DateTimeField(_("matched at"), null=True, blank=True)

    objects = CallRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        # Every index here is written again for each call the end-of-day job matches (its row is
        # rewritten): keep only those a read needs (docs/benchmarks.md, calls).
        indexes = [
            # The end-of-day job reads a day's calls still to match; the report lists a day's.
            models.Index(fields=["data_date", "status"], name="call_day_status"),
            # A customer's calls (the data scope, a merge moving them, the customer's deletion); the
            # calls matched to nobody stay out of it.
            models.Index(
                fields=["customer", "started_at"], condition=Q(customer__isnull=False), name="call_customer_time"
            ),
            # The calls without a customer, seen through their employee (the data scope): a call
            # matched to a customer stays out of it.
            models.Index(
                fields=["employee", "started_at"], condition=Q(customer__isnull=True), name="call_unmatched_employee"
            ),
        ]
        constraints = [
            models.UniqueConstraint(fields=["call_id"], name="call_unique_id"),
            models.CheckConstraint(
                condition=Q(duration_seconds__isnull=True) | Q(duration_seconds__lte=MAX_DURATION_SECONDS),
                name="call_duration_at_most_a_day",
            ),
        ]

    def __str__(self) -> str:
        # No number, no customer: the audit trail may show this text.
        when = timezone.localtime(self.started_at).strftime("%Y-%m-%d %H:%M") if self.started_at else ""
        return f"{self.call_id} {when}".strip()

    def get_absolute_url(self) -> str:
        return f"{reverse('interactions:calls')}?data_date={self.data_date:%Y-%m-%d}"
