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
    )
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("employee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Who made the contact."),
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
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
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
