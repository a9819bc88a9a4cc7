"""The append-only, hash-chained audit trail — PLT-07.

Each entry carries `prev_hash` (the hash of the entry before it in `seq` order) and its own
`hash`, an HMAC over its content under a key kept outside the database (steward/audit/keys.py),
so removing, reordering or editing any entry breaks the chain at points `manage.py verify_audit`
names, and nobody without the key can re-forge it. There is no update or delete path: the
model refuses it, the queryset refuses it, the admin is read-only, and on PostgreSQL triggers
refuse UPDATE, DELETE and TRUNCATE and let the chain-head row only move forward.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from steward.access.scope import ScopedManager, ScopedQuerySet


class AppendOnlyError(Exception):
    """Raised by any attempt to change or remove an audit entry."""


class AuditQuerySet(ScopedQuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The audit trail is append-only.")

    def delete(self):
        raise AppendOnlyError("The audit trail is append-only.")


class AuditEntry(models.Model):
    """One thing that happened: who, when, from where, to what, and what changed."""

    seq = models.BigIntegerField(_("sequence"), unique=True)
    timestamp = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_constraint=False,
    )
    actor_repr = models.CharField(_("actor"), max_length=100, blank=True)
    action = models.CharField(_("action"), max_length=60, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    ids = models.JSONField(_("affected ids"), default=list, blank=True)
    message = models.TextField(_("message"), blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    ip_address = models.CharField(_("IP address"), max_length=45, blank=True)
    source = models.CharField(_("source"), max_length=60, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)
    # The id of the HMAC key the hash was made with (STEWARD_AUDIT_KEYS), so entries signed
    # before a key rotation still verify with their own key.
    key_id = models.CharField(max_length=16, blank=True, default="")

    objects = ScopedManager.from_queryset(AuditQuerySet)()

    # Whose actions a scoped auditor sees: those of staff inside their scope.
    scope_org_field = "actor__org"
    scope_owner_field = "actor"
    audit_ignore = True

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["actor", "timestamp"]),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_repr}"

    def get_absolute_url(self) -> str:
        return reverse("audit:entry_detail", args=[self.pk])

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The audit trail is append-only.")


class AuditChainHead(models.Model):
    """The single row that serialises appends: the last sequence number and hash."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    audit_ignore = True
