"""Messages Steward sends to customers and staff through its channels — INT-05, CUS-16.

One `OutboundMessage` per recipient and channel (SMS, e-mail, app push), whatever module queued
it (mass SMS, campaigns, reminders …): the one outbox every sending module shares. A message
carries its rendered text, the recipient's address (personal data, masked everywhere), its
status from queued to its outcome, and the reason in words when it was refused or failed.
Messages queued together belong to a `MessageBatch`.

Visibility (`visible_to`): a message to a customer is visible exactly when its customer is (data
scope and confidentiality, like the customer's other records); a message to a member of staff is
visible to those holding the permission in scope of that employee's org (or the employee
themself under "own").
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from steward.access.scope import ScopedManager
from steward.core.models import TimeStampedModel
from steward.privacy.fields import PiiCharField, PiiEmailField


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")
    PUSH = "push", _("App push")


class Purpose(models.TextChoices):
    """Why a message is sent; decides which subscriptions it needs (docs/channels.md)."""

    SERVICE = "service", _("Service notice")
    MARKETING = "marketing", _("Marketing")
    MANDATORY = "mandatory", _("Mandatory notice")


class Status(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("message status", "Queued")
    HELD = "held", pgettext_lazy("message status", "Held for the send window")
    SENDING = "sending", pgettext_lazy("message status", "Sending")
    SENT = "sent", pgettext_lazy("message status", "Sent")
    DELIVERED = "delivered", pgettext_lazy("message status", "Delivered")
    FAILED = "failed", pgettext_lazy("message status", "Failed")
    REFUSED = "refused", pgettext_lazy("message status", "Refused")
    CANCELLED = "cancelled", pgettext_lazy("message status", "Cancelled")


# Not sent yet: may still be cancelled.
UNSENT = (Status.QUEUED, Status.HELD)


class Reason(models.TextChoices):
    """Why a message was refused or failed: stored as a code, shown in the reader's language."""

    NO_ADDRESS = "no_address", _("The recipient has no address for this channel (no mobile number or e-mail address).")
    NOT_SUBSCRIBED = "not_subscribed", _("The customer has not subscribed to notices on this channel.")
    OPTED_OUT = "opted_out", _("The customer unsubscribed from this channel after the message was queued.")
    CUSTOMER_MERGED = (
        "customer_merged",
        _("The customer number was merged into another customer; send to the surviving customer."),
    )
    CUSTOMER_CLOSED = "customer_closed", _("The customer is closed; only mandatory notices reach closed customers.")
    EMPLOYEE_LEFT = "employee_left", _("The employee has left the bank.")
    REJECTED = "rejected", _("The channel refused the message (see the details).")
    GAVE_UP = "gave_up", _("The channel could not be reached after every attempt.")
    UNDELIVERED = "undelivered", _("The operator reported that the message could not be delivered.")
    CANCELLED = "cancelled", _("Cancelled before it was sent.")


class MessageBatch(TimeStampedModel):
    """Messages queued together (a mass SMS, a campaign's wave, a day's reminders): named, counted.

    Visible, like the messages' senders, by the org of the member of staff who queued it."""

    name = models.CharField(_("name"), max_length=200)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("queued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    org = models.ForeignKey(
        "org.Org", verbose_name=_("org"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # How many recipients were queued (refused ones included); the outcomes are counted live.
    total = models.PositiveIntegerField(_("recipients"), default=0)

    objects = ScopedManager()

    scope_org_field = "org"
    scope_owner_field = "created_by"

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("message batch")
        verbose_name_plural = _("message batches")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("channels:message_list") + f"?batch={self.pk}"

    def status_counts(self, queryset=None) -> dict[str, int]:
        """{status: number of messages} over the batch (or the part of it `queryset` holds)."""
        rows = (queryset if queryset is not None else self.messages.all()).filter(batch=self)
        return dict(rows.order_by().values_list("status").annotate(n=Count("pk")))


class OutboundMessageQuerySet(models.QuerySet):
    def visible_to(self, user, permission: str):
        """Messages to customers `user` may see under `permission` (scope and confidentiality), and
        messages to members of staff in `user`'s scope for it."""
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        from steward.customers.models import Customer
        from steward.org.models import Employee

        customers = Customer.objects.visible_to(user, permission).values("pk")
        employees = Employee.objects.visible_to(user, permission).values("pk")
        return self.filter(Q(customer_id__in=customers) | Q(employee_id__in=employees))

    def unsent(self):
        return self.filter(status__in=UNSENT)


class OutboundMessage(models.Model):
    """One message to one recipient on one channel (INT-05).

    The address is the one for its channel (`mobile`, `email` or `app_user`), taken when it is
    queued and read again from the customer or employee when it is sent. `reason` is a code of
    `Reason`; `reason_detail` keeps what the channel itself answered (an operator's error text)."""

    Channel = Channel
    Purpose = Purpose
    Status = Status
    Reason = Reason

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbound_messages",
    )
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("employee"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outbound_messages",
    )
    mobile = PiiCharField(_("mobile"), max_length=20, blank=True, pii_kind="mobile")
    email = PiiEmailField(_("e-mail"), blank=True, pii_kind="email")
    # The app user the push goes to: the customer number (mobile banking) or the employee number.
    app_user = models.CharField(_("app user"), max_length=40, blank=True)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices, blank=True)
    reason_detail = models.CharField(_("details"), max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    external_ref = models.CharField(_("channel's reference"), max_length=100, blank=True)
    # Not to be sent before: the send window's next opening (held) or the next retry (queued).
    not_before = models.DateTimeField(_("not before"), null=True, blank=True)
    queued_at = models.DateTimeField(_("queued at"))
    # When the message was last handed to a worker; empty once the worker is done with it.
    dispatched_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("queued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    batch = models.ForeignKey(
        MessageBatch,
        verbose_name=_("batch"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )

    objects = OutboundMessageQuerySet.as_manager()

    class Meta:
        ordering = ["-queued_at", "-pk"]
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")
        indexes = [
            # The release job: held and queued messages that are due.
            models.Index(fields=["status", "not_before"], name="outbound_due"),
            models.Index(fields=["external_ref"], name="outbound_external_ref"),
            models.Index(fields=["customer", "queued_at"], name="outbound_customer"),
            models.Index(fields=["employee", "queued_at"], name="outbound_employee"),
            models.Index(fields=["batch", "status"], name="outbound_batch"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(customer__isnull=False, employee__isnull=True)
                | Q(customer__isnull=True, employee__isnull=False),
                name="outbound_has_one_recipient",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} #{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("channels:message_detail", args=[self.pk])

    ADDRESS_FIELDS = {"sms": "mobile", "email": "email", "push": "app_user"}

    @property
    def address_field(self) -> str:
        return self.ADDRESS_FIELDS[self.channel]

    @property
    def address(self) -> str:
        """The address for the message's channel, plain (adapters only; pages mask it)."""
        return getattr(self, self.address_field) or ""

    @property
    def recipient(self):
        return self.customer if self.customer_id else self.employee

    @property
    def reason_text(self) -> str:
        """The reason in the reader's language (the code is what is stored)."""
        if not self.reason:
            return ""
        try:
            return str(Reason(self.reason).label)
        except ValueError:
            return self.reason

    @property
    def is_settled(self) -> bool:
        return self.settled_at is not None


class DeliveryAttempt(models.Model):
    """One try at handing a message to its channel: when, what came of it, what the channel said."""

    # A technical log of each try; the message's own status is the business record.
    audit_ignore = True

    class Outcome(models.TextChoices):
        SENT = "sent", pgettext_lazy("attempt outcome", "Accepted by the channel")
        TEMPORARY = "temporary", pgettext_lazy("attempt outcome", "Temporary failure (tried again later)")
        PERMANENT = "permanent", pgettext_lazy("attempt outcome", "Refused by the channel")

    message = models.ForeignKey(OutboundMessage, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField(_("attempt"))
    at = models.DateTimeField(_("at"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    detail = models.CharField(_("details"), max_length=500, blank=True)

    class Meta:
        ordering = ["message", "number"]
        verbose_name = _("delivery attempt")
        verbose_name_plural = _("delivery attempts")

    def __str__(self) -> str:
        return f"{self.message_id} #{self.number}: {self.outcome}"


class DeliveryReceipt(models.Model):
    """A delivery report the SMS gateway posted (by its reference), kept once per reference and
    status. A report that arrives before its message recorded the reference waits here and is
    applied when the reference is recorded."""

    audit_ignore = True  # the message's status is the record; the gateway posts many of these

    class Outcome(models.TextChoices):
        DELIVERED = "delivered", pgettext_lazy("message status", "Delivered")
        FAILED = "failed", pgettext_lazy("message status", "Failed")

    external_ref = models.CharField(_("channel's reference"), max_length=100)
    status = models.CharField(_("status"), max_length=10, choices=Outcome.choices)
    detail = models.CharField(_("details"), max_length=500, blank=True)
    received_at = models.DateTimeField(_("received at"))
    message = models.ForeignKey(
        OutboundMessage, null=True, blank=True, on_delete=models.CASCADE, related_name="receipts"
    )

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("delivery receipt")
        verbose_name_plural = _("delivery receipts")
        constraints = [models.UniqueConstraint(fields=["external_ref", "status"], name="uniq_delivery_receipt")]

    def __str__(self) -> str:
        return f"{self.external_ref}: {self.status}"
