"""Contact plans (SVC-01, CUS-04) and key customers (CUS-14).

A plan says when an RM will contact a customer, how and why; it is completed by recording the
contact (an `interactions.Interaction`), so planned and actual contacts can be counted per RM
and month. Key customers are the top share of an RM's book by AUM, or flagged by hand; each
carries a required contact frequency by tier, and one not contacted within it is a warning.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from steward.holdings.models import CustomerDataQuerySet
from steward.interactions.models import Interaction


class ContactPlanQuerySet(CustomerDataQuerySet):
    def overdue(self, now=None):
        return self.filter(status=ContactPlan.Status.PLANNED, planned_at__lt=now or timezone.now())


class ContactPlan(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Planned by hand")
        BULK = "bulk", _("Planned for a group, segment or selection")
        REMINDER = "reminder", _("From a reminder")

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contact_plans"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("relationship manager"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="contact_plans",
    )
    planned_at = models.DateTimeField(_("planned for"))
    channel = models.CharField(_("method"), max_length=20, choices=Interaction.Channel.choices)
    purpose = models.CharField(pgettext_lazy("contact plan", "purpose"), max_length=200)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    interaction = models.ForeignKey(
        Interaction, verbose_name=_("contact"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("planned by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ContactPlanQuerySet.as_manager()

    class Meta:
        ordering = ["planned_at", "pk"]
        verbose_name = _("contact plan")
        verbose_name_plural = _("contact plans")
        indexes = [
            models.Index(fields=["owner", "status", "planned_at"], name="contact_plan_owner_due"),
            models.Index(fields=["customer", "status"], name="contact_plan_customer"),
        ]

    def __str__(self) -> str:
        return f"{timezone.localtime(self.planned_at):%Y-%m-%d %H:%M} {self.purpose}"

    def get_absolute_url(self) -> str:
        return reverse("contactplans:plan_detail", args=[self.pk])

    @property
    def is_overdue(self) -> bool:
        return self.status == self.Status.PLANNED and self.planned_at < timezone.now()


class KeyCustomerFlag(models.Model):
    """A customer flagged by hand as a key customer (beyond the top share by AUM)."""

    customer = models.OneToOneField(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="key_flag"
    )
    flagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("flagged by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    flagged_at = models.DateTimeField(_("flagged at"), default=timezone.now)
    note = models.CharField(_("why"), max_length=200, blank=True)

    objects = CustomerDataQuerySet.as_manager()

    class Meta:
        verbose_name = _("key customer flag")
        verbose_name_plural = _("key customer flags")

    def __str__(self) -> str:
        return str(self.customer_id)
