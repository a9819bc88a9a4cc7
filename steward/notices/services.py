"""System notices — PLT-10 (requirements 003 §1.19 and §2.21).

Administrators (``notices.notice:*``, scoped by the notice's publishing org) write, publish,
unpublish and delete notices. Staff read what is addressed to them: the audience is the
visibility rule on the reading side, so a member of staff outside it never sees the notice —
not in the banner, the list, the detail page or the API.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from steward.access.services import require_permission, require_visible
from steward.audit.services import log_event
from steward.core.errors import DomainError
from steward.core.services import service
from steward.notices.models import Notice, NoticeRead, Notification
from steward.org.models import Org

# The banner scrolls at most this many titles; the bell still counts every unread one.
BANNER_TITLES = 10
_LEVEL_RANK = {Notice.Level.URGENT: 0, Notice.Level.IMPORTANT: 1, Notice.Level.INFO: 2}


# --- administrators -------------------------------------------------------------------------


def _reaches_whole_bank(actor, permission: str) -> bool:
    """Whether the actor's data scope for `permission` covers every org (bank-wide administrator)."""
    visible = Org.objects.visible_to(actor, permission).values("pk")
    return not Org.objects.exclude(pk__in=visible).exists()


@service
def save_notice(
    actor,
    notice: Notice | None,
    *,
    title: str,
    body: str,
    level: str = Notice.Level.INFO,
    audience: str = Notice.Audience.ALL,
    orgs=(),
    roles=(),
    valid_from=None,
    valid_until=None,
    now=None,
) -> Notice:
    """Create (notice=None) or edit a notice. A new notice is a draft until published.

    The audience must lie inside the author's reach: chosen orgs inside their data scope;
    everyone or role holders (who may sit anywhere) only for bank-wide administrators.
    """
    now = now or timezone.now()
    creating = notice is None
    permission = "notices.notice:add" if creating else "notices.notice:change"
    if creating:
        require_permission(actor, permission)
        notice = Notice(author=actor, org=actor.org)
    else:
        require_visible(actor, permission, notice)

    title = (title or "").strip()
    body = (body or "").strip()
    if not title:
        raise DomainError(_("Give the notice a title."), field="title")
    if not body:
        raise DomainError(_("Write the text of the notice."), field="body")
    if audience not in Notice.Audience.values:
        raise DomainError(_("Choose who the notice is for."), field="audience")
    if level not in Notice.Level.values:
        raise DomainError(_("Choose a level."), field="level")
    valid_from = valid_from or now
    if valid_until is not None and valid_until <= valid_from:
        raise DomainError(_("The notice must end after it starts."), field="valid_until")

    orgs = list(orgs) if audience == Notice.Audience.ORGS else []
    roles = list(roles) if audience == Notice.Audience.ROLES else []
    if audience == Notice.Audience.ORGS:
        if not orgs:
            raise DomainError(_("Choose at least one org."), field="orgs")
        reachable = set(
            Org.objects.visible_to(actor, permission).filter(pk__in=[o.pk for o in orgs]).values_list("pk", flat=True)
        )
        outside = [org.name for org in orgs if org.pk not in reachable]
        if outside:
            raise DomainError(
                _("These orgs are outside your data scope: %(orgs)s") % {"orgs": ", ".join(outside)}, field="orgs"
            )
    elif not _reaches_whole_bank(actor, permission):
        raise DomainError(
            _("Only bank-wide administrators may address everyone or role holders; choose orgs instead."),
            field="audience",
        )
    if audience == Notice.Audience.ROLES:
        if not roles:
            raise DomainError(_("Choose at least one role."), field="roles")
        inactive = [str(role) for role in roles if not role.is_active]
        if inactive:
            raise DomainError(_("These roles are inactive: %(roles)s") % {"roles": ", ".join(inactive)}, field="roles")

    notice.title, notice.body, notice.level, notice.audience = title, body, level, audience
    notice.valid_from, notice.valid_until = valid_from, valid_until
    notice.save()
    notice.orgs.set(orgs)
    notice.roles.set(roles)
    return notice


@service
def publish_notice(actor, notice: Notice, now=None) -> Notice:
    """Make the notice visible to its audience (from `valid_from` until `valid_until`)."""
    now = now or timezone.now()
    require_visible(actor, "notices.notice:change", notice)
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if notice.is_published:
        raise DomainError(_("The notice is already published."))
    if notice.valid_until is not None and notice.valid_until <= now:
        raise DomainError(_("The notice has already expired; change its validity period first."), field="valid_until")
    notice.is_published = True
    notice.published_at = now
    notice.save(update_fields=["is_published", "published_at", "updated_at"])
    log_event("notices.published", notice, actor=actor, message="Notice published")
    return notice


@service
def unpublish_notice(actor, notice: Notice, now=None) -> Notice:
    """Withdraw the notice: it leaves every banner and list at once (read history is kept)."""
    require_visible(actor, "notices.notice:change", notice)
    notice = Notice.objects.select_for_update().get(pk=notice.pk)
    if not notice.is_published:
        raise DomainError(_("The notice is not published."))
    notice.is_published = False
    notice.save(update_fields=["is_published", "updated_at"])
    log_event("notices.unpublished", notice, actor=actor, message="Notice withdrawn")
    return notice


@service
def delete_notice(actor, notice: Notice) -> None:
    """Delete a draft or withdrawn notice; a published one must be unpublished first."""
    require_visible(actor, "notices.notice:delete", notice)
    if Notice.objects.filter(pk=notice.pk, is_published=True).exists():
        raise DomainError(_("Unpublish the notice before deleting it."))
    notice.delete()


def read_count(notice: Notice) -> int:
    return notice.reads.count()


# --- readers --------------------------------------------------------------------------------


def notices_for(user, now=None):
    """Every published notice addressed to `user` that has started (current and expired), with `is_read`."""
    now = now or timezone.now()
    return Notice.objects.addressed_to(user).started(now).with_read_state(user)


def current_notices_for(user, now=None):
    """The notices addressed to `user` inside their validity period at `now`, with `is_read`."""
    now = now or timezone.now()
    return Notice.objects.addressed_to(user).current(now).with_read_state(user)


def unread_count(user, now=None) -> int:
    """The bell's number: unread current notices and unread personal notifications."""
    return current_notices_for(user, now).filter(is_read=False).count() + unread_notification_count(user)


def mark_read(user, notice: Notice, now=None) -> NoticeRead:
    """Record that `user` read `notice` (the first reading counts; reading again changes nothing)."""
    now = now or timezone.now()
    if not notices_for(user, now).filter(pk=notice.pk).exists():
        raise PermissionDenied(_("This notice is not addressed to you."))
    try:
        with transaction.atomic():
            read, _created = NoticeRead.objects.get_or_create(user=user, notice=notice, defaults={"read_at": now})
    except IntegrityError:  # the same user opened it twice at once
        read = NoticeRead.objects.get(user=user, notice=notice)
    return read


def mark_all_read(user, now=None) -> int:
    """Mark every current unread notice and every unread personal notification of `user` as
    read; returns how many."""
    now = now or timezone.now()
    ids = list(current_notices_for(user, now).filter(is_read=False).values_list("pk", flat=True))
    NoticeRead.objects.bulk_create(
        [NoticeRead(user=user, notice_id=pk, read_at=now) for pk in ids], ignore_conflicts=True
    )
    return len(ids) + notifications_for(user).unread().update(read_at=now)


# --- personal notifications -----------------------------------------------------------------
#
# The one path by which Steward tells one member of staff about something (PLT-10): an app calls
# `notify()` inside the transaction of what it tells about, so a rolled-back operation tells
# nobody. The bell counts the unread notifications with the unread notices; the notification
# list (the bell's page) shows both.

# kind → its text, with %(name)s placeholders filled from the notification's values. Apps that
# notify register their kinds (e.g. steward/approvals/notifications.py).
NOTIFICATION_KINDS: dict[str, object] = {}


def register_notification_kind(kind: str, text) -> None:
    """Declare a kind of notification and its (lazily translated) text."""
    if "." not in kind:
        raise ValueError(f"Notification kind {kind!r} must look like 'app.event'.")
    NOTIFICATION_KINDS[kind] = text


def notification_text(notification: Notification) -> str:
    """The notification's text in the reader's language (the active one when it is shown)."""
    template = NOTIFICATION_KINDS.get(notification.kind)
    if template is None:
        return _("Notification")
    try:
        return str(template) % (notification.values or {})
    except (KeyError, TypeError, ValueError):
        return str(template)


def notify(recipients, kind: str, *, values: dict | None = None, url: str = "", now=None) -> int:
    """Leave one personal notification of `kind` for each of `recipients` (users or user ids);
    `url` is the page it leads to. Returns how many were left."""
    if kind not in NOTIFICATION_KINDS:
        raise ValueError(f"Unknown notification kind {kind!r}: register it first.")
    now = now or timezone.now()
    ids = sorted({getattr(person, "pk", person) for person in recipients} - {None})
    Notification.objects.bulk_create(
        [Notification(recipient_id=pk, kind=kind, values=values or {}, url=url, created_at=now) for pk in ids]
    )
    return len(ids)


def notifications_for(user):
    """The personal notifications of `user`, newest first (nobody else's, ever)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(recipient_id=user.pk)


def unread_notification_count(user) -> int:
    return notifications_for(user).unread().count()


def open_notification(user, pk, now=None) -> Notification:
    """`user`'s notification `pk`, marked read (the first opening counts); someone else's is a 404."""
    notification = notifications_for(user).filter(pk=pk).first()
    if notification is None:
        raise Http404
    if notification.read_at is None:
        notification.read_at = now or timezone.now()
        notifications_for(user).filter(pk=pk, read_at__isnull=True).update(read_at=notification.read_at)
    return notification


def mark_notifications_read_for(user, url: str, now=None) -> int:
    """Mark read `user`'s unread notifications that lead to `url` — they opened that page."""
    return notifications_for(user).unread().filter(url=url).update(read_at=now or timezone.now())


@dataclass(frozen=True)
class BannerItem:
    pk: int
    title: str
    level: str
    is_read: bool


class NoticeBar:
    """What the page layout shows: the scrolling titles and the bell's unread count.

    Built lazily by the context processor, so a page that never renders them (an htmx
    partial) costs nothing, and a page that does costs exactly one query.
    """

    def __init__(self, user, now=None):
        self.user = user
        self.now = now or timezone.now()
        self._rows: list[BannerItem] | None = None
        self._personal: int | None = None

    def _load(self) -> list[BannerItem]:
        if self._rows is None:
            # The unread personal notifications ride along as a sub-select, so the bell still
            # costs one query; only with no current notice does their count need one of its own.
            personal = Coalesce(Subquery(_unread_notifications(self.user)), 0)
            rows = (
                current_notices_for(self.user, self.now)
                .annotate(personal_unread=personal)
                .values_list("pk", "title", "level", "is_read", "valid_from", "personal_unread")
            )
            ordered = sorted(rows, key=lambda row: (_LEVEL_RANK.get(row[2], 9), -row[4].timestamp(), -row[0]))
            self._rows = [BannerItem(pk, title, level, is_read) for pk, title, level, is_read, _start, _p in ordered]
            self._personal = ordered[0][5] if ordered else None
        return self._rows

    @property
    def items(self) -> list[BannerItem]:
        return self._load()[:BANNER_TITLES]

    @property
    def unread(self) -> int:
        """What the bell counts: unread current notices and unread personal notifications."""
        notices = sum(1 for item in self._load() if not item.is_read)
        if self._personal is None:
            self._personal = unread_notification_count(self.user)
        return notices + self._personal


def _unread_notifications(user):
    """The number of `user`'s unread personal notifications, as a one-value sub-select."""
    return (
        Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True)
        .order_by()
        .values("recipient_id")
        .annotate(count=Count("pk"))
        .values("count")
    )
