"""Roles, what they grant, and who holds them where — PLT-03, PLT-04."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from steward.access import scope
from steward.access.scope import ScopedManager
from steward.core.models import BilingualNameModel, TimeStampedModel

SCOPE_CHOICES = [
    (scope.SCOPE_OWN, _("Own records")),
    (scope.SCOPE_TEAM, _("Team (the anchor org only)")),
    (scope.SCOPE_SUBTREE, _("Org and everything below it")),
    (scope.SCOPE_ALL, _("All")),
]


class Role(BilingualNameModel, TimeStampedModel):
    """A custom role created by administrators; it grants registered permissions."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    description = models.TextField(_("description"), blank=True)
    default_scope = models.CharField(
        _("default data scope"), max_length=10, choices=SCOPE_CHOICES, default=scope.SCOPE_OWN
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Holders must confirm each login with a one-time code from an authenticator app (issue 3, point 6).
    require_second_factor = models.BooleanField(
        _("require a second factor at login"),
        default=False,
        help_text=_("Holders of this role enter a 6-digit code from an authenticator app after their password."),
    )

    objects = ScopedManager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("role")
        verbose_name_plural = _("roles")

    @classmethod
    def scope_q(cls, user, grant):
        # Roles are bank-wide configuration: whoever may manage roles sees all of them.
        return Q()

    def get_absolute_url(self) -> str:
        return reverse("access:role_detail", args=[self.pk])

    def permission_names(self) -> set[str]:
        return {grant.permission for grant in self.grants.all()}


class RoleGrant(models.Model):
    """One permission (menu or action) a role grants; names come from the registry."""

    role = models.ForeignKey(Role, on_delete=models.CASCADE, related_name="grants")
    permission = models.CharField(max_length=100, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["role", "permission"], name="uniq_role_permission")]

    def __str__(self) -> str:
        return f"{self.role.code} → {self.permission}"


class RoleAssignmentQuerySet(models.QuerySet):
    def current(self):
        return self.filter(ended_at__isnull=True, role__is_active=True)


class RoleAssignment(models.Model):
    """A user holds a role at an org with a data scope, until the assignment is ended.

    Ended assignments are kept (not deleted) so that "who could do what, when" stays answerable.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.ForeignKey(Role, on_delete=models.PROTECT, related_name="assignments")
    org = models.ForeignKey("org.Org", on_delete=models.PROTECT, related_name="role_assignments")
    scope = models.CharField(_("data scope"), max_length=10, choices=SCOPE_CHOICES)
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    end_reason = models.CharField(_("end reason"), max_length=200, blank=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "org"],
                condition=Q(ended_at__isnull=True),
                name="uniq_current_role_assignment",
            )
        ]
        indexes = [models.Index(fields=["user", "ended_at"])]

    def __str__(self) -> str:
        return f"{self.user} · {self.role} @ {self.org} ({self.get_scope_display()})"


class ApiTokenQuerySet(models.QuerySet):
    def usable(self, now):
        """Not revoked and not past the absolute expiry (the idle limit is checked on use)."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now)


class ApiToken(models.Model):
    """A key another system sends as ``Authorization: Token <key>`` (PLT-11, issue 11 point 11).

    Only a SHA-256 hash of the key is stored; the key itself is shown once, when issued. A token
    stops working at ``expires_at`` (absolute lifetime), after the idle limit without use, when
    revoked, when rotated (the new token replaces it) and when its holder leaves or moves.
    Revoked and expired tokens are kept, so "which key was used when" stays answerable.
    """

    audit_ignore = True  # last use is touched on every call; issuing, rotating and revoking are audited as events

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("key starts with"), max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoke_reason = models.CharField(_("revoke reason"), max_length=200, blank=True)
    replaced_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaces", verbose_name=_("replaced by")
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"
