"""The wealth calendar — SVC-04: my own calendar notes, and the private address of my calendar feed.

The calendar itself stores nothing else: its entries come from the calendar sources registered in
`steward.agenda.registry` (reminders by kind, my notes; later contact plans and appointments).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

TITLE_MAX = 200
TEXT_MAX = 2000


class NoteQuerySet(models.QuerySet):
    def visible_to(self, user, permission: str):
        """A note is private to its owner: nobody else sees it, whatever their role or scope."""
        from steward.access.services import has_permission

        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if not has_permission(user, permission):
            return self.none()
        return self.filter(owner=user)


class CalendarNote(models.Model):
    """A note in my own calendar (SVC-04): a title, a text, a time or whole days, optionally about
    one of my customers. Private to its owner."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    text = models.TextField(_("text"), max_length=TEXT_MAX, blank=True)
    # All-day notes start and end at the bank's midnight of their first and last day.
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    all_day = models.BooleanField(_("all day"), default=False)
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = NoteQuerySet.as_manager()
    # Private: the audit trail records that a note changed, never what it says.
    audit_redacted_fields = ("title", "text")

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("calendar note")
        verbose_name_plural = _("calendar notes")
        indexes = [models.Index(fields=["owner", "starts_at"], name="calendar_note_owner_start")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=models.F("starts_at")),
                name="calendar_note_ends_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("agenda:note_edit", args=[self.pk])


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class CalendarFeed(models.Model):
    """The private address of a user's iCalendar feed (SVC-04): a random token, looked up by its
    SHA-256 digest and kept encrypted (AES-GCM) so the calendar page can show it again; the user
    replaces it by resetting it, and the old address stops working at once."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    token_encrypted = models.TextField(editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    audit_redacted_fields = ("token_digest", "token_encrypted")

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"calendar feed #{self.pk}"

    @property
    def token(self) -> str:
        """The token, or "" when it can no longer be read (its key was retired): the address still
        works, and the page offers to reset it to show a new one."""
        from steward.privacy import crypto

        try:
            return crypto.decrypt(self.token_encrypted, context=f"calendar-feed:{self.user_id}")
        except Exception:
            return ""

    def set_token(self, token: str) -> None:
        from steward.privacy import crypto

        self.token_digest = token_digest(token)
        self.token_encrypted = crypto.encrypt(token, context=f"calendar-feed:{self.user_id}")
