"""Customer tags and customer groups (CUS-04, CUS-05).

Tags sit in categories (the "dimensions" of a customer profile). A *manual* tag is put on a
customer by a user; a *rule* tag carries a filter definition (the segments filter language) and
is recomputed after each daily load. `CustomerTag` records who or which rule tagged a customer.

A customer group is either *personal* (its owner's own list, seen by nobody else — administrators
included) or a *system* group kept by marketing for an org and seen through the org data scope.
Members shown to a viewer are always re-filtered through the viewer's own customer visibility.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from steward.access.scope import SCOPE_ALL, SCOPE_OWN, ScopedQuerySet, path_range_q
from steward.core.models import TimeStampedModel

CUSTOMER_VIEW = "customers.customer:view"


class BankWideQuerySet(ScopedQuerySet):
    """Bank-wide configuration: whoever holds the permission sees every row."""


class TagCategory(TimeStampedModel):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    description = models.CharField(_("description"), max_length=300, blank=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    objects = BankWideQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("tag category")
        verbose_name_plural = _("tag categories")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("tags:category_edit", args=[self.pk])

    @classmethod
    def scope_q(cls, user, grant):
        return Q()


class Tag(TimeStampedModel):
    class Kind(models.TextChoices):
        MANUAL = "manual", pgettext_lazy("tag", "Manual")
        RULE = "rule", pgettext_lazy("tag", "Rule (computed)")

    category = models.ForeignKey(TagCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="tags")
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.MANUAL)
    definition = models.JSONField(_("rule definition"), null=True, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    color = models.CharField(_("colour"), max_length=20, blank=True, default="blue")
    is_active = models.BooleanField(_("active"), default=True)
    computed_at = models.DateTimeField(_("last computed at"), null=True, blank=True)

    objects = BankWideQuerySet.as_manager()

    class Meta:
        ordering = ["category__sort_order", "category__code", "code"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("tags:tag_detail", args=[self.pk])

    @classmethod
    def scope_q(cls, user, grant):
        return Q()


class CustomerTagQuerySet(models.QuerySet):
    def visible_to(self, user, permission: str):
        """Tags of the customers `user` may see (scope and confidentiality), for holders of `permission`."""
        from steward.access.services import has_permission
        from steward.customers.models import Customer

        if user is None or not getattr(user, "is_authenticated", False) or not has_permission(user, permission):
            return self.none()
        visible = Customer.objects.visible_to(user, CUSTOMER_VIEW).values("pk")
        return self.filter(customer__in=visible)


class CustomerTag(models.Model):
    class Source(models.TextChoices):
        MANUAL = "manual", pgettext_lazy("tag source", "Manual")
        RULE = "rule", pgettext_lazy("tag source", "Rule")

    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="tag_links"
    )
    tag = models.ForeignKey(Tag, verbose_name=_("tag"), on_delete=models.CASCADE, related_name="customer_links")
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.MANUAL)
    tagged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tagged by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    tagged_at = models.DateTimeField(_("tagged at"))

    objects = CustomerTagQuerySet.as_manager()

    # Written in bulk (rule recompute, list actions): the services log one summary per batch.
    audit_ignore = True

    class Meta:
        ordering = ["tag__category__sort_order", "tag__code", "pk"]
        verbose_name = _("customer tag")
        verbose_name_plural = _("customer tags")
        constraints = [models.UniqueConstraint(fields=["customer", "tag"], name="uniq_customer_tag")]
        indexes = [models.Index(fields=["tag", "source"])]

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.tag_id}"


class CustomerGroupQuerySet(models.QuerySet):
    def visible_to(self, user, permission: str):
        """Personal groups of `user` only (never anyone else's, administrators included); system
        groups whose org lies in the user's data scope for `permission`, or whose org is the user's
        own org or above it (a group published for an org is seen by the staff below it)."""
        from steward.access.services import grants_for

        if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        grants = grants_for(user, permission)
        if not grants and not user.is_superuser:
            return self.none()
        personal = Q(kind=CustomerGroup.Kind.PERSONAL, owner=user)
        if user.is_superuser or any(g.scope == SCOPE_ALL for g in grants):
            return self.filter(personal | Q(kind=CustomerGroup.Kind.SYSTEM))
        from steward.org.models import Org

        system = Q(pk__in=[])
        user_org = getattr(user, "org", None)
        if user_org is not None:
            # The user's own org and its ancestors: paths that are prefixes of the user's path.
            ancestors = _path_prefixes(user_org.path)
            system |= Q(org__path__in=ancestors)
        for grant in grants:
            if grant.scope == SCOPE_OWN or not grant.org_path:
                continue
            subtree = Org.objects.filter(path_range_q("path", grant.org_path)).values("pk")
            system |= Q(org__in=subtree)
        return self.filter(personal | (Q(kind=CustomerGroup.Kind.SYSTEM) & system))


def _path_prefixes(path: str) -> list[str]:
    """'/0001/0002/' → ['/0001/', '/0001/0002/'] (materialized paths end with a slash)."""
    parts = [p for p in (path or "").split("/") if p]
    prefixes = []
    current = "/" if path.startswith("/") else ""
    for part in parts:
        current = f"{current}{part}/"
        prefixes.append(current)
    return prefixes


class CustomerGroup(TimeStampedModel):
    class Kind(models.TextChoices):
        PERSONAL = "personal", pgettext_lazy("customer group", "Personal")
        SYSTEM = "system", pgettext_lazy("customer group", "System")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PERSONAL)
    description = models.CharField(_("description"), max_length=500, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="customer_groups",
    )
    org = models.ForeignKey(
        "org.Org", verbose_name=_("org"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CustomerGroupQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name", "pk"]
        verbose_name = _("customer group")
        verbose_name_plural = _("customer groups")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="personal", owner__isnull=False) | Q(kind="system", org__isnull=False),
                name="customer_group_owner_or_org",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("tags:group_detail", args=[self.pk])


class GroupMemberQuerySet(models.QuerySet):
    def visible_to(self, user, permission: str):
        """Memberships of groups `user` may see, of customers `user` may see."""
        from steward.customers.models import Customer

        groups = CustomerGroup.objects.visible_to(user, permission).values("pk")
        customers = Customer.objects.visible_to(user, CUSTOMER_VIEW).values("pk")
        return self.filter(group__in=groups, customer__in=customers)


class GroupMember(models.Model):
    group = models.ForeignKey(CustomerGroup, verbose_name=_("group"), on_delete=models.CASCADE, related_name="members")
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="group_links"
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("added by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    added_at = models.DateTimeField(_("added at"))

    objects = GroupMemberQuerySet.as_manager()

    audit_ignore = True  # added and removed in bulk: the services log one summary per batch

    class Meta:
        ordering = ["-added_at", "pk"]
        verbose_name = _("group member")
        verbose_name_plural = _("group members")
        constraints = [models.UniqueConstraint(fields=["group", "customer"], name="uniq_group_member")]

    def __str__(self) -> str:
        return f"{self.group_id}: {self.customer_id}"
