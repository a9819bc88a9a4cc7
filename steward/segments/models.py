"""Saved customer segments (CUS-03): a named filter definition, live or frozen.

A *dynamic* segment is evaluated anew each time; a *snapshot* segment keeps the member ids it
had when last refreshed (`SegmentMember`). Either way the members a viewer sees are always
re-filtered through the viewer's own customer visibility (see services.members).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from steward.access.scope import ScopedManager
from steward.core.models import TimeStampedModel


class Segment(TimeStampedModel):
    class Kind(models.TextChoices):
        DYNAMIC = "dynamic", _("Dynamic (always current)")
        SNAPSHOT = "snapshot", _("Snapshot (frozen members)")

    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=500, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.DYNAMIC)
    definition = models.JSONField(_("definition"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="segments"
    )
    org = models.ForeignKey("org.Org", verbose_name=_("org"), on_delete=models.PROTECT, related_name="+")
    taken_at = models.DateTimeField(_("snapshot taken at"), null=True, blank=True)

    objects = ScopedManager()

    scope_org_field = "org"
    scope_owner_field = "owner"

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("customer segment")
        verbose_name_plural = _("customer segments")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("segments:segment_detail", args=[self.pk])


class SegmentMember(models.Model):
    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="members")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    taken_at = models.DateTimeField(_("taken at"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["segment", "customer"], name="uniq_segment_member")]
