"""Applications, their decision history and attachments — PLT-09 (003 §1.15–1.17, 001 申请事项)."""

from __future__ import annotations

import os
import uuid

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from steward.access.scope import SCOPE_ALL, SCOPE_OWN, SCOPE_SUBTREE, SCOPE_TEAM, ScopedManager, ScopedQuerySet
from steward.approvals.registry import application_types


class ApplicationQuerySet(ScopedQuerySet):
    def taking_part(self, user):
        """Applications the user submitted, is asked to handle, or decided on."""
        return self.filter(participant_q(user))

    def reachable_by(self, user):
        """What a user may open: the ones they take part in, plus the monitor's data scope."""
        from steward.access.services import has_permission
        from steward.approvals.permissions import MONITOR, PARTICIPANT_PERMISSIONS

        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if not any(has_permission(user, name) for name in PARTICIPANT_PERMISSIONS):
            return self.none()
        condition = participant_q(user)
        if has_permission(user, MONITOR):
            condition |= Q(pk__in=Application.objects.visible_to(user, MONITOR).values("pk"))
        return self.filter(condition)


def participant_q(user) -> Q:
    handled = Application.handlers.through.objects.filter(employee_id=user.pk).values("application_id")
    decided = Decision.objects.filter(actor_id=user.pk).values("application_id")
    return Q(submitter_id=user.pk) | Q(pk__in=handled) | Q(pk__in=decided)


class Application(models.Model):
    """A request (leave, activity proposal, customer transfer …) travelling to its approvers.

    Once submitted it cannot be edited (003 §1.15); it moves through the steps its type
    declares until approved, rejected or withdrawn. `handlers` are the people who may
    decide the current step; `last_error` holds why the last approval's action failed.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    type = models.CharField(_("type"), max_length=60, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    reason = models.TextField(_("reason"))
    payload = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("submitter"), on_delete=models.PROTECT, related_name="applications"
    )
    org = models.ForeignKey(
        "org.Org",
        verbose_name=_("org"),
        on_delete=models.PROTECT,
        related_name="applications",
        help_text=_("The submitter's org when it was submitted; its approvers decide."),
    )
    step_index = models.PositiveSmallIntegerField(_("step number"), default=0)
    step_label = models.CharField(_("current step"), max_length=100, blank=True)
    handlers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("handlers"), related_name="applications_to_handle", blank=True
    )
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now, db_index=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    last_error = models.TextField(_("last error"), blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)

    objects = ScopedManager.from_queryset(ApplicationQuerySet)()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        indexes = [
            models.Index(fields=["submitter", "status"]),
            models.Index(fields=["org", "status"]),
            models.Index(fields=["status", "type"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("approvals:detail", args=[self.pk])

    @classmethod
    def scope_q(cls, user, grant):
        """Monitor scope: "own" = the applications one takes part in; otherwise by the submitter's org."""
        if grant.scope == SCOPE_OWN:
            return participant_q(user)
        if grant.scope == SCOPE_TEAM:
            return Q(org_id=grant.org_id)
        if grant.scope == SCOPE_SUBTREE:
            from steward.access.scope import path_range_q
            from steward.org.models import Org

            return Q(org__in=Org.objects.filter(path_range_q("path", grant.org_path)).values("pk"))
        if grant.scope == SCOPE_ALL:
            return Q()
        return Q(pk__in=[])

    @property
    def application_type(self):
        return application_types.get(self.type)

    @property
    def type_label(self) -> str:
        return application_types.label(self.type)

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING

    def payload_display(self) -> list[tuple[str, str]]:
        application_type = self.application_type
        if application_type is None:
            return [(key, str(value)) for key, value in self.payload.items()]
        return application_type.display(self.payload)


class Decision(models.Model):
    """One entry of an application's timeline: submitted, approved, rejected, forwarded, withdrawn …"""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        FORWARDED = "forwarded", _("Forwarded")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        SKIPPED = "skipped", _("Step skipped")
        REROUTED = "rerouted", _("Re-routed")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="decisions")
    step_index = models.PositiveSmallIntegerField(_("step number"), default=0)
    step_label = models.CharField(_("step"), max_length=100, blank=True)
    action = models.CharField(_("decision"), max_length=10, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="application_decisions",
    )
    comment = models.TextField(_("comment"), blank=True)
    # Who the application went to afterwards: [{"id": 12, "name": "张三"}, …]
    routed_to = models.JSONField(_("next handlers"), default=list, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("application decision")
        verbose_name_plural = _("application decisions")
        indexes = [models.Index(fields=["actor", "application"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} · #{self.application_id}"

    @property
    def routed_to_names(self) -> str:
        return ", ".join(item.get("name", "") for item in self.routed_to)


def attachment_path(instance, filename: str) -> str:
    """A random stored name keeps user-chosen names (and any path tricks in them) off the disk."""
    extension = os.path.splitext(filename)[1].lower()[:10]
    return f"approvals/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{extension}"


class Attachment(models.Model):
    """A file handed in with the submission; downloaded only by those who may open the application."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size (bytes)"))
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("approvals:attachment", args=[self.pk])
