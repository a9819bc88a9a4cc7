"""Assigned tasks (数据挖掘任务, TASK-01 … TASK-04).

A task says whom to serve (its items: customers, or potential customers) and who serves them.
Its items come from a *fixed selection* (chosen once when the task is created) or a *dynamic
condition* (a segment definition for customers, a small filter for leads) that a scheduled job
evaluates again until the task is closed: customers who come to match are added, items already
there — worked or not — are never removed. File 003 names four types:

* system-assigned (系统分配): the system deals the items to the assignees — even, random or
  weighted (the allocation engine), skipping people on leave;
* random draw (随机抽取): an assignee draws the next item, which one is chance;
* active pick (主动抽取): an assignee chooses the item from the task's untaken ones;
* re-service (再次服务): each item goes to the customer's current relationship manager (revisits,
  care calls), and follows a change of owner until it is worked.

For random draw and active pick a task may cap the items an agent holds open at once (最大执行数量).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from steward.access.scope import SCOPE_OWN, ScopedManager, ScopedQuerySet, scope_condition
from steward.allocation.models import Method as AllocationMethod


class TaskCategory(models.Model):
    """A heading tasks are filed under (TASK-01), kept by the administrators for the whole bank.
    An inactive category keeps its tasks but is offered for no new one."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ScopedManager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("task category")
        verbose_name_plural = _("task categories")

    @classmethod
    def scope_q(cls, user, grant):
        return Q()  # one list for the whole bank

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("tasks:category_edit", args=[self.pk])


class Task(models.Model):
    class Type(models.TextChoices):
        SYSTEM_ASSIGNED = "system_assigned", _("System-assigned")
        RANDOM_DRAW = "random_draw", _("Random draw")
        ACTIVE_PICK = "active_pick", _("Active pick")
        RE_SERVICE = "re_service", _("Re-service")

    class Subject(models.TextChoices):
        CUSTOMERS = "customers", _("Customers")
        LEADS = "leads", _("Potential customers")

    class Source(models.TextChoices):
        FIXED = "fixed", _("Fixed selection")
        DYNAMIC = "dynamic", _("Dynamic condition")

    # The allocation engine's methods (one list: steward.allocation.models.Method).
    Method = AllocationMethod

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("task status", "Open")
        CLOSED = "closed", pgettext_lazy("task status", "Closed")

    title = models.CharField(_("title"), max_length=200)
    category = models.ForeignKey(
        TaskCategory, verbose_name=_("category"), on_delete=models.PROTECT, related_name="tasks"
    )
    # The org the task belongs to: its managers see it; its items come from this org's subtree.
    org = models.ForeignKey("org.Org", verbose_name=_("org"), on_delete=models.PROTECT, related_name="+")
    description = models.TextField(_("description"), blank=True)
    type = models.CharField(_("type"), max_length=16, choices=Type.choices)
    subject = models.CharField(_("items are"), max_length=10, choices=Subject.choices, default=Subject.CUSTOMERS)
    source = models.CharField(_("source"), max_length=10, choices=Source.choices, default=Source.FIXED)
    # A dynamic task's condition: a segment definition (customers) or a lead filter (leads).
    condition = models.JSONField(_("condition"), default=dict, blank=True)
    method = models.CharField(_("distribution"), max_length=10, choices=Method.choices, default=Method.EVEN, blank=True)
    assignees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("assignees"), related_name="assigned_tasks", blank=True
    )
    due_on = models.DateField(_("due on"), null=True, blank=True)
    max_open_per_agent = models.PositiveIntegerField(
        _("most open items per agent"),
        null=True,
        blank=True,
        help_text=_(
            "Random draw and active pick: an agent holding this many open items takes no more. Empty: no limit."
        ),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    last_evaluated_at = models.DateTimeField(_("condition last evaluated at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    objects = ScopedQuerySet.as_manager()

    scope_org_field = "org"
    scope_owner_field = "created_by"

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("assigned task")
        verbose_name_plural = _("assigned tasks")
        indexes = [models.Index(fields=["status", "source"], name="task_status_source")]

    @classmethod
    def scope_q(cls, user, grant):
        # "Own" tasks: those one created, is assigned to, or holds an item of (re-service items go
        # to the customer's owner, who need not be an assignee).
        own = (
            Q(created_by=user)
            | Q(pk__in=Task.assignees.through.objects.filter(employee_id=user.pk).values("task_id"))
            | Q(pk__in=TaskItem.objects.filter(assignee=user).values("task_id"))
        )
        if grant.scope == SCOPE_OWN:
            return own
        return own | scope_condition(_PlainTask, user, grant)

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("tasks:task_detail", args=[self.pk])

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def agents_take_items(self) -> bool:
        """Whether agents take the items themselves (draw or pick) rather than being given them."""
        return self.type in (self.Type.RANDOM_DRAW, self.Type.ACTIVE_PICK)


class _PlainTask:
    """Lets Task.scope_q fall back to the standard org rules for the team and subtree scopes."""

    scope_org_field = "org"
    scope_owner_field = "created_by"


class TaskItemQuerySet(ScopedQuerySet):
    def open(self):
        return self.filter(status=TaskItem.Status.OPEN)


class TaskItem(models.Model):
    """One customer (or potential customer) of a task, and who serves them. An item is untaken
    (no assignee) until it is dealt, drawn or picked; it is worked once done or skipped."""

    class Status(models.TextChoices):
        OPEN = "open", pgettext_lazy("task item status", "Open")
        DONE = "done", pgettext_lazy("task item status", "Done")
        SKIPPED = "skipped", pgettext_lazy("task item status", "Skipped")

    task = models.ForeignKey(Task, verbose_name=_("task"), on_delete=models.CASCADE, related_name="items")
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    lead = models.ForeignKey(
        "leads.Lead",
        verbose_name=_("potential customer"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="task_items",
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    added_at = models.DateTimeField(_("added at"), default=timezone.now)
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)
    done_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    outcome_note = models.CharField(_("outcome"), max_length=500, blank=True)
    interaction = models.ForeignKey(
        "interactions.Interaction",
        verbose_name=_("contact"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = TaskItemQuerySet.as_manager()

    class Meta:
        ordering = ["task", "pk"]
        verbose_name = _("task item")
        verbose_name_plural = _("task items")
        constraints = [
            models.CheckConstraint(
                condition=Q(customer__isnull=False, lead__isnull=True) | Q(customer__isnull=True, lead__isnull=False),
                name="task_item_customer_xor_lead",
            ),
            # A customer (or lead) is an item of a task once: re-evaluating a condition adds nothing twice.
            models.UniqueConstraint(
                fields=["task", "customer"], condition=Q(customer__isnull=False), name="task_item_one_per_customer"
            ),
            models.UniqueConstraint(
                fields=["task", "lead"], condition=Q(lead__isnull=False), name="task_item_one_per_lead"
            ),
        ]
        indexes = [
            # "My open items" and an agent's open count against the cap.
            models.Index(fields=["assignee", "status"], name="task_item_mine"),
            # The untaken pool of a task (draw, pick) and progress per assignee.
            models.Index(fields=["task", "status", "assignee"], name="task_item_pool"),
        ]

    @classmethod
    def scope_q(cls, user, grant):
        # An agent sees their own items and the untaken items of the draw and pick tasks they
        # are assigned to; a manager with a team or subtree scope, every item of those orgs' tasks.
        own = Q(assignee=user) | Q(
            assignee__isnull=True,
            task__type__in=[Task.Type.RANDOM_DRAW, Task.Type.ACTIVE_PICK],
            task__in=Task.assignees.through.objects.filter(employee_id=user.pk).values("task_id"),
        )
        if grant.scope == SCOPE_OWN:
            return own
        return own | Q(task__in=Task.objects.filter(scope_condition(_PlainTask, user, grant)).values("pk"))

    def __str__(self) -> str:
        subject = self.customer if self.customer_id else self.lead
        return f"{self.task} · {subject}"

    def get_absolute_url(self) -> str:
        return reverse("tasks:item_detail", args=[self.pk])

    @property
    def subject_name(self) -> str:
        subject = self.customer if self.customer_id else self.lead
        return subject.name if subject is not None else "—"
