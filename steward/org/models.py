"""The bank's organization and its people — PLT-01, PLT-02."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from steward.access.scope import SCOPE_OWN, SCOPE_SUBTREE, SCOPE_TEAM, ScopedManager, ScopedQuerySet, path_range_q
from steward.core.models import TimeStampedModel
from steward.privacy.fields import EncryptedPiiField, PiiCharField, PiiEmailField

PATH_SEGMENT_WIDTH = 6  # room for a million orgs per path segment


def path_segment(pk: int) -> str:
    return f"{pk:0{PATH_SEGMENT_WIDTH}d}/"


class Org(TimeStampedModel):
    """A node of the org tree: head office → branch → sub-branch → team (any depth).

    `path` is a materialized path of zero-padded ids ("000001/000004/000012/"), so
    "this org and everything under it" is one indexed range scan on any database.
    Branch (网点) details live on the same row; they are blank for teams.
    """

    class Kind(models.TextChoices):
        HEAD_OFFICE = "head_office", _("Head office")
        BRANCH = "branch", _("Branch")
        SUB_BRANCH = "sub_branch", _("Sub-branch")
        TEAM = "team", _("Team")
        DEPARTMENT = "department", _("Department")

    code = models.CharField(_("org code"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=100, db_index=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent org"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, unique=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    # Branch details (网点信息), searchable.
    address = models.CharField(_("address"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    business_hours = models.CharField(_("business hours"), max_length=100, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("org")
        verbose_name_plural = _("orgs")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("org:org_detail", args=[self.pk])

    @classmethod
    def scope_q(cls, user, grant):
        if grant.scope == SCOPE_SUBTREE:
            return path_range_q("path", grant.org_path)
        if grant.scope == SCOPE_TEAM:
            return Q(pk=grant.org_id)
        if grant.scope == SCOPE_OWN:
            return Q(pk=user.org_id)
        return Q(pk__in=[])

    def subtree(self):
        return Org.objects.filter(path_range_q("path", self.path))

    def ancestors(self):
        ids = [int(part) for part in self.path.strip("/").split("/")[:-1]]
        return Org.objects.filter(pk__in=ids).order_by("depth")

    def is_descendant_of(self, other: Org) -> bool:
        return self.path.startswith(other.path)


class EmployeeManager(BaseUserManager.from_queryset(ScopedQuerySet)):
    use_in_migrations = True

    def create_user(self, employee_no, password=None, **extra):
        user = self.model(employee_no=employee_no, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, employee_no, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        if "org" not in extra and "org_id" not in extra:
            extra["org"] = Org.objects.filter(parent__isnull=True).order_by("pk").first()
        if extra.get("org") is None and extra.get("org_id") is None:
            raise ValueError("Create the head office first (python manage.py seed_demo, or the admin).")
        extra.setdefault("name", employee_no)
        return self.create_user(employee_no, password, **extra)


class Employee(AbstractBaseUser, PermissionsMixin, TimeStampedModel):
    """A member of staff; the employee number is the login (PLT-02)."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        ON_LEAVE = "on_leave", _("On leave")
        LEFT = "left", _("Left")

    employee_no = models.CharField(_("employee number"), max_length=20, unique=True)
    name = models.CharField(_("name"), max_length=50, db_index=True)
    org = models.ForeignKey(Org, verbose_name=_("org"), on_delete=models.PROTECT, related_name="employees")
    position = models.CharField(_("position"), max_length=50, blank=True)
    level = models.CharField(_("level"), max_length=30, blank=True)
    tier = models.CharField(_("tier"), max_length=30, blank=True)
    allocation_weight = models.PositiveSmallIntegerField(
        _("allocation weight"), default=1, help_text=_("Relative share in weighted allocation; 0 receives nothing.")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    mobile = PiiCharField(_("mobile"), max_length=20, blank=True, pii_kind="mobile")
    email = PiiEmailField(_("e-mail"), blank=True, pii_kind="email")
    id_number = EncryptedPiiField(_("ID number"), pii_kind="id_number", index_field="id_number_index")
    id_number_index = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    # The desk phone's extension in the call centre (CTI): calls are matched to the employee by it
    # or by the employee number (SVC-05).
    extension = models.CharField(_("telephone extension"), max_length=20, blank=True, db_index=True)
    hired_on = models.DateField(_("hired on"), null=True, blank=True)
    left_at = models.DateTimeField(_("left at"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, blank=True)
    ui_preferences = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(_("can log in"), default=True)
    is_staff = models.BooleanField(_("Django admin access"), default=False)

    objects = EmployeeManager()

    USERNAME_FIELD = "employee_no"
    REQUIRED_FIELDS = ["name"]

    scope_org_field = "org"
    scope_owner_field = "pk"  # "own records" of an employee is the employee themself

    class Meta:
        ordering = ["employee_no"]
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        indexes = [models.Index(fields=["org", "status"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.employee_no})"

    def get_absolute_url(self) -> str:
        return reverse("org:employee_detail", args=[self.pk])

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name


class GradeChange(models.Model):
    """A promotion or demotion of level/tier (层级/级别), kept as history (PLT-02)."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="grade_changes")
    from_level = models.CharField(_("from level"), max_length=30, blank=True)
    to_level = models.CharField(_("to level"), max_length=30, blank=True)
    from_tier = models.CharField(_("from tier"), max_length=30, blank=True)
    to_tier = models.CharField(_("to tier"), max_length=30, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    effective_on = models.DateField(_("effective on"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("grade change")
        verbose_name_plural = _("grade changes")


class UserSession(models.Model):
    """Which sessions belong to whom, so leaving ends them all and admins see who is online."""

    audit_ignore = True  # touched every minute; logins and logouts are audited as events

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="web_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    last_seen = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-last_seen"]
