"""Attendance (考勤, OFF-07) and quotas (配额, TASK-06): what the task calendar (TASK-05, TASK-07)
weighs each person's day with.

A person's day is "normal" unless an administrator recorded otherwise (a row here: leave, a
personal public holiday, a business trip, absence). A quota says how much of one measure (valid
calls, new intent leads …, see ``steward.attendance.measures``) people of a level and/or tier in
an org (and the orgs below it) must do each working day.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from steward.access.scope import ScopedQuerySet


class AttendanceDay(models.Model):
    """One person's attendance on one day, when it is not "normal" (OFF-07; file 003 §2.31.3).
    No row means normal attendance. Leave and a public holiday complete the day on the task
    calendar whatever was done (TASK-07); people on leave receive no leads (LEAD-08)."""

    class Status(models.TextChoices):
        NORMAL = "normal", _("Normal")
        LEAVE = "leave", _("Leave")
        SICK_LEAVE = "sick_leave", _("Sick leave")
        PUBLIC_HOLIDAY = "public_holiday", _("Public holiday")
        BUSINESS_TRIP = "business_trip", _("Business trip")
        ABSENT = "absent", _("Absent")

    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("employee"),
        on_delete=models.CASCADE,
        related_name="attendance_days",
    )
    date = models.DateField(_("date"))
    status = models.CharField(_("attendance"), max_length=16, choices=Status.choices, default=Status.NORMAL)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    scope_org_field = "employee__org"
    scope_owner_field = "employee"

    class Meta:
        ordering = ["-date", "employee__employee_no"]
        verbose_name = _("attendance day")
        verbose_name_plural = _("attendance days")
        constraints = [models.UniqueConstraint(fields=["employee", "date"], name="attendance_one_row_per_day")]
        # Who was off on a day (allocation skips them): read by date first.
        indexes = [models.Index(fields=["date", "status"], name="attendance_date_status")]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_status_display()}"

    def get_absolute_url(self) -> str:
        return reverse("attendance:list") + f"?employee={self.employee_id}"


# Statuses that take the person away from work for the day: the day is complete on the task
# calendar and the person receives no leads (allocation asks on_leave()).
LEAVE_STATUSES = frozenset({AttendanceDay.Status.LEAVE, AttendanceDay.Status.SICK_LEAVE})
OFF_STATUSES = LEAVE_STATUSES | {AttendanceDay.Status.PUBLIC_HOLIDAY}


class Quota(models.Model):
    """How much of one measure people must do each working day (TASK-06; file 003 §2.33): for an
    employee level and/or tier (blank: every one), in an org and the orgs below it, from a date
    (to a date). Where several quotas fit a person, the one of the nearest org wins, then the one
    naming both level and tier over one naming either, over one naming neither."""

    measure = models.CharField(_("measure"), max_length=40)
    level = models.CharField(_("employee level"), max_length=30, blank=True, help_text=_("Empty: every level."))
    tier = models.CharField(_("employee tier"), max_length=30, blank=True, help_text=_("Empty: every tier."))
    org = models.ForeignKey(
        "org.Org",
        verbose_name=_("org"),
        on_delete=models.PROTECT,
        related_name="quotas",
        help_text=_("The quota applies to the people of this org and of every org below it."),
    )
    daily_target = models.PositiveIntegerField(_("daily target"))
    active_from = models.DateField(_("active from"))
    active_to = models.DateField(_("active to"), null=True, blank=True, help_text=_("Empty: until changed."))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    scope_org_field = "org"

    class Meta:
        ordering = ["org__path", "measure", "level", "tier", "-active_from"]
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        constraints = [
            models.CheckConstraint(
                condition=Q(active_to__isnull=True) | Q(active_to__gte=models.F("active_from")),
                name="quota_period_runs_forwards",
            )
        ]

    def __str__(self) -> str:
        from steward.attendance.measures import measure_label

        return f"{measure_label(self.measure)} ≥ {self.daily_target}"

    def get_absolute_url(self) -> str:
        return reverse("attendance:quota_edit", args=[self.pk])

    @property
    def measure_label(self) -> str:
        from steward.attendance.measures import measure_label

        return measure_label(self.measure)
