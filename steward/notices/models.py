"""System notices administrators publish to staff, and who has read them — PLT-10.

Source: requirements 003 §1.19 (staff see the current notices' titles scrolling in the status
bar and open one to read it) and §2.21 (administrators maintain and publish notices).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from steward.access.scope import ScopedQuerySet
from steward.core.models import TimeStampedModel


class NoticeQuerySet(ScopedQuerySet):
    """`visible_to(user, "notices.notice:…")` is the administrators' view (by publishing org);
    `addressed_to(user)` is the reader's view (by audience)."""

    def addressed_to(self, user):
        """Published notices whose audience includes `user` — whatever their validity period.

        One SQL statement: the audience conditions are sub-selects, so no row is repeated and
        no extra query runs (the user's org path is on the already-loaded `user.org`).
        """
        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        from steward.access.models import RoleAssignment

        # The org path holds the ids of the user's org and all its ancestors ("000001/000004/").
        org_path = user.org.path if user.org_id else ""
        lineage = [int(part) for part in org_path.strip("/").split("/") if part]
        in_orgs = Notice.orgs.through.objects.filter(org_id__in=lineage).values("notice_id")
        held_roles = RoleAssignment.objects.current().filter(user=user).values("role_id")
        in_roles = Notice.roles.through.objects.filter(role_id__in=held_roles).values("notice_id")
        return self.filter(is_published=True).filter(
            Q(audience=Notice.Audience.ALL)
            | Q(audience=Notice.Audience.ORGS, pk__in=in_orgs)
            | Q(audience=Notice.Audience.ROLES, pk__in=in_roles)
        )

    def started(self, now):
        return self.filter(valid_from__lte=now)

    def current(self, now):
        """Inside the validity period at `now` (an open end never expires)."""
        return self.filter(valid_from__lte=now).filter(Q(valid_until__isnull=True) | Q(valid_until__gt=now))

    def with_read_state(self, user):
        return self.annotate(is_read=Exists(NoticeRead.objects.filter(notice=OuterRef("pk"), user=user)))


class NoticeManager(models.Manager.from_queryset(NoticeQuerySet)):
    """Scoped manager with the notice-specific queries."""


class Notice(TimeStampedModel):
    """A system notice (系统通知): a title and body for an audience during a validity period.

    The audience is everyone, the staff of chosen orgs and everything below them, or the holders
    of chosen roles. Only published notices inside their validity period reach the banner.
    """

    class Audience(models.TextChoices):
        ALL = "all", _("Everyone")
        ORGS = "orgs", _("Staff of chosen orgs (and below)")
        ROLES = "roles", _("Holders of chosen roles")

    class Level(models.TextChoices):
        INFO = "info", _("Information")
        IMPORTANT = "important", _("Important")
        URGENT = "urgent", _("Urgent")

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(
        _("body"), help_text=_("Plain text. Blank lines separate paragraphs; web addresses become links.")
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default=Level.INFO)
    audience = models.CharField(_("audience"), max_length=10, choices=Audience.choices, default=Audience.ALL)
    orgs = models.ManyToManyField("org.Org", verbose_name=_("orgs"), blank=True, related_name="+")
    roles = models.ManyToManyField("access.Role", verbose_name=_("roles"), blank=True, related_name="+")
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    # The org the notice is published for; administrators see the notices of their data scope.
    org = models.ForeignKey("org.Org", verbose_name=_("publishing org"), on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("author"), on_delete=models.PROTECT, related_name="+"
    )

    objects = NoticeManager()

    scope_org_field = "org"
    scope_owner_field = "author"

    class Meta:
        ordering = ["-valid_from", "-pk"]
        verbose_name = _("system notice")
        verbose_name_plural = _("system notices")
        indexes = [models.Index(fields=["is_published", "valid_from"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=models.F("valid_from")),
                name="notice_valid_until_after_valid_from",
                violation_error_message=_("The notice must end after it starts."),
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("notices:manage_detail", args=[self.pk])

    def get_reader_url(self) -> str:
        return reverse("notices:detail", args=[self.pk])

    def is_current(self, now) -> bool:
        return self.is_published and self.valid_from <= now and (self.valid_until is None or self.valid_until > now)


class NoticeRead(models.Model):
    """The moment a member of staff first opened a notice (read/unread state)."""

    # Reading is not a change of business data; one audit entry per reader per notice would drown the trail.
    audit_ignore = True

    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(_("read at"))

    class Meta:
        verbose_name = _("notice read")
        verbose_name_plural = _("notice reads")
        constraints = [models.UniqueConstraint(fields=["user", "notice"], name="uniq_notice_read")]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.notice_id}"


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """A personal notification (站内通知, PLT-10): something for one member of staff — an
    application waits for their decision, their own application was decided. The bell counts
    the unread ones with the unread notices; the notification list shows both.

    Its text is composed when it is read, in the reader's language, from its kind and values
    (`steward.notices.services.NOTIFICATION_KINDS`, filled by the apps that notify)."""

    # Telling someone is not a change of business data: what they are told about is audited.
    audit_ignore = True

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=60)
    values = models.JSONField(_("values"), default=dict, blank=True)
    # Where it leads: a page of Steward (an application, a customer …).
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"

    @property
    def text(self) -> str:
        from steward.notices.services import notification_text

        return notification_text(self)

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    def get_absolute_url(self) -> str:
        return reverse("notices:notification", args=[self.pk])
