"""Work plans, the work journal and the schedules built from them (SVC-06, SVC-13).

One `WorkEntry` is either a **plan** (what I will do that day or week) or a **journal** entry
(what I did). A person's entries over time are their schedule (行事历): they see their own and
those of their direct superiors and direct subordinates, never their peers'
(steward/org/hierarchy.py); only the owner changes an entry — a leader reads a subordinate's
schedule read-only.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from steward.access.scope import ScopedManager
from steward.core.models import TimeStampedModel


class WorkEntryQuerySet(models.QuerySet):
    def visible_to(self, user, permission: str):
        """The entries of `user`'s line (themselves, direct superiors, direct subordinates)."""
        from steward.access.services import has_permission
        from steward.org.hierarchy import line_ids

        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if not has_permission(user, permission):
            return self.none()
        return self.filter(owner_id__in=line_ids(user))


class WorkEntry(TimeStampedModel):
    class Kind(models.TextChoices):
        PLAN = "plan", _("Work plan")
        JOURNAL = "journal", _("Work journal")

    class Period(models.TextChoices):
        DAY = "day", _("Day")
        WEEK = "week", _("Week")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("employee"), on_delete=models.CASCADE, related_name="work_entries"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    period = models.CharField(
        pgettext_lazy("work plan", "period"), max_length=10, choices=Period.choices, default=Period.DAY
    )
    # The day, or the Monday of the week.
    on = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    details = models.TextField(_("details"), blank=True, max_length=4000)
    is_done = models.BooleanField(_("done"), default=False)

    objects = WorkEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-on", "owner", "kind", "pk"]
        verbose_name = _("work plan or journal entry")
        verbose_name_plural = _("work plans and journal entries")
        indexes = [models.Index(fields=["owner", "on"])]

    def __str__(self) -> str:
        return f"{self.on.isoformat()} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("worklog:entry_detail", args=[self.pk])

    @property
    def ends_on(self) -> dt.date:
        return self.on + dt.timedelta(days=6) if self.period == self.Period.WEEK else self.on


class WorkItemQuerySet(models.QuerySet):
    def visible_to(self, user, permission: str):
        """Items the user assigned, or was given, or that reach an employee they supervise."""
        from steward.access.services import has_permission
        from steward.org.hierarchy import SUPERVISE
        from steward.org.models import Employee

        if user is None or not user.is_authenticated or not user.is_active or not has_permission(user, permission):
            return self.none()
        supervised = Employee.objects.visible_to(user, SUPERVISE).values("pk")
        return self.filter(
            models.Q(created_by=user)
            | models.Q(assignments__assignee=user)
            | models.Q(assignments__assignee__in=supervised)
        ).distinct()


class WorkItem(TimeStampedModel):
    """A piece of work a supervisor gives one or many subordinates, with a due date (SVC-08)."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assigned by"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    details = models.TextField(_("details"), blank=True, max_length=4000)
    due_on = models.DateField(_("due on"))

    objects = WorkItemQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("work item")
        verbose_name_plural = _("work items")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("worklog:item_detail", args=[self.pk])


class WorkAssignment(models.Model):
    """One subordinate's share of a work item: their progress and whether it is done."""

    class Status(models.TextChoices):
        OPEN = "open", _("Not started")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    item = models.ForeignKey(WorkItem, on_delete=models.CASCADE, related_name="assignments")
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("assignee"), on_delete=models.CASCADE, related_name="work_assignments"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        ordering = ["item", "assignee"]
        verbose_name = _("work assignment")
        verbose_name_plural = _("work assignments")
        constraints = [models.UniqueConstraint(fields=["item", "assignee"], name="uniq_work_assignment")]
        indexes = [models.Index(fields=["assignee", "status"])]

    def __str__(self) -> str:
        return f"{self.item} — {self.assignee}"


class WorkFeedback(models.Model):
    """A progress report by the assignee, or a comment by the one who assigned the work."""

    assignment = models.ForeignKey(WorkAssignment, on_delete=models.CASCADE, related_name="feedback")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), null=True, blank=True)
    text = models.TextField(_("feedback"), max_length=2000)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("work feedback")
        verbose_name_plural = _("work feedback")


class Guidance(models.Model):
    """A supervisor's guidance (主管指导, SVC-02) to a subordinate, on one of their plans or
    journal entries or in general; the subordinate reads it on their workbench."""

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("supervisor"), on_delete=models.PROTECT, related_name="+"
    )
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("employee"), on_delete=models.CASCADE, related_name="guidance"
    )
    entry = models.ForeignKey(
        WorkEntry, verbose_name=_("on"), null=True, blank=True, on_delete=models.CASCADE, related_name="guidance"
    )
    text = models.TextField(_("guidance"), max_length=2000)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("guidance")
        verbose_name_plural = _("guidance")
        indexes = [models.Index(fields=["employee", "created_at"])]


# ------------------------------------------------------------------ standard workflows (SVC-11)


class WorkflowTemplate(TimeStampedModel):
    """A standard RM workflow (规范化流程), e.g. "new key customer: call within 3 business days,
    visit within 14": steps with their due dates counted in business days from the start."""

    name = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    is_active = models.BooleanField(_("active"), default=True)

    objects = ScopedManager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("workflow template")
        verbose_name_plural = _("workflow templates")

    @classmethod
    def scope_q(cls, user, grant):
        return models.Q()  # the bank's standard workflows

    @property
    def display_name(self) -> str:
        from django.utils import translation

        if self.name_en and (translation.get_language() or "").startswith("en"):
            return self.name_en
        return self.name

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("worklog:template_edit", args=[self.pk])


class WorkflowTemplateStep(models.Model):
    template = models.ForeignKey(WorkflowTemplate, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("step"), max_length=200)
    due_business_days = models.PositiveSmallIntegerField(_("due within (business days)"))

    class Meta:
        ordering = ["template", "order"]
        verbose_name = _("workflow template step")
        verbose_name_plural = _("workflow template steps")

    def __str__(self) -> str:
        return self.title


class WorkflowRunQuerySet(models.QuerySet):
    def visible_to(self, user, permission: str):
        """Runs on customers `user` may see under `permission` (scope and confidentiality)."""
        from steward.customers.models import Customer

        return self.filter(customer_id__in=Customer.objects.visible_to(user, permission).values("pk"))


class WorkflowRun(models.Model):
    """One workflow started on one customer; its steps carry their own due dates."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    template = models.ForeignKey(
        WorkflowTemplate, verbose_name=_("workflow"), on_delete=models.PROTECT, related_name="runs"
    )
    customer = models.ForeignKey(
        "customers.Customer", verbose_name=_("customer"), on_delete=models.CASCADE, related_name="workflow_runs"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("run by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_on = models.DateField(_("started on"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = WorkflowRunQuerySet.as_manager()

    class Meta:
        ordering = ["-started_on", "-pk"]
        verbose_name = _("workflow run")
        verbose_name_plural = _("workflow runs")
        indexes = [models.Index(fields=["owner", "status"])]

    def __str__(self) -> str:
        return f"{self.template} · {self.customer_id}"

    def get_absolute_url(self) -> str:
        return reverse("worklog:run_detail", args=[self.pk])


class WorkflowStep(models.Model):
    run = models.ForeignKey(WorkflowRun, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("order"))
    title = models.CharField(_("step"), max_length=200)
    due_on = models.DateField(_("due on"))
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["run", "order"]
        verbose_name = _("workflow step")
        verbose_name_plural = _("workflow steps")
        indexes = [
            models.Index(fields=["due_on"], condition=models.Q(done_at__isnull=True), name="open_workflow_step_due")
        ]

    def __str__(self) -> str:
        return self.title
