"""Business rules of work plans and the journal (SVC-06) and whose schedule one sees (SVC-13)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from steward.access.services import require_permission
from steward.core.errors import DomainError
from steward.core.services import service
from steward.notices.services import notify, register_notification_kind
from steward.worklog.models import (
    Guidance,
    WorkAssignment,
    WorkEntry,
    WorkFeedback,
    WorkflowRun,
    WorkflowStep,
    WorkflowTemplate,
    WorkflowTemplateStep,
    WorkItem,
)
from steward.worklog.permissions import (
    ADD,
    ASSIGN,
    GUIDE,
    ITEM_VIEW,
    VIEW,
    WORKFLOW_MANAGE,
    WORKFLOW_START,
)

# How far back or ahead an entry may be dated: a slip of the year is caught, a plan for next
# quarter and a journal catching up on last month are not.
MAX_DAYS_AWAY = 366


def _normalized_day(period: str, on: dt.date) -> dt.date:
    return on - dt.timedelta(days=on.weekday()) if period == WorkEntry.Period.WEEK else on


def _check(entry: WorkEntry, today: dt.date) -> None:
    if entry.kind not in WorkEntry.Kind.values:
        raise DomainError(_("Choose a work plan or a journal entry."), field="kind")
    if entry.period not in WorkEntry.Period.values:
        raise DomainError(_("Choose a day or a week."), field="period")
    if not isinstance(entry.on, dt.date) or abs((entry.on - today).days) > MAX_DAYS_AWAY:
        raise DomainError(_("The date must lie within a year of today."), field="on")
    if entry.kind == WorkEntry.Kind.JOURNAL and entry.on > today:
        raise DomainError(_("A journal records work done: its date cannot be in the future."), field="on")
    if not (entry.title or "").strip():
        raise DomainError(_("Give the entry a title."), field="title")


@service
def save_entry(actor, entry: WorkEntry, *, now=None) -> WorkEntry:
    """Create or change one of the actor's own entries; a week is kept as its Monday."""
    require_permission(actor, ADD)
    if entry.pk and entry.owner_id != actor.pk:
        raise DomainError(_("Only its author changes a work plan or journal entry."), field="title")
    entry.owner = actor
    today = timezone.localdate(now)
    _check(entry, today)
    entry.title = entry.title.strip()
    entry.on = _normalized_day(entry.period, entry.on)
    entry.full_clean()
    entry.save()
    return entry


@service
def delete_entry(actor, entry: WorkEntry) -> None:
    require_permission(actor, ADD)
    if entry.owner_id != actor.pk:
        raise DomainError(_("Only its author deletes a work plan or journal entry."), field="title")
    entry.delete()


def schedule_people(user) -> list:
    """Whose schedules `user` may open: themselves, direct superiors, direct subordinates."""
    from steward.org.hierarchy import direct_subordinate_ids, direct_superior_ids
    from steward.org.models import Employee

    superiors, subordinates = direct_superior_ids(user), direct_subordinate_ids(user)
    people = {
        e.pk: e for e in Employee.objects.filter(pk__in={user.pk} | superiors | subordinates).select_related("org")
    }
    ordered = [people[user.pk]] if user.pk in people else []
    ordered += sorted((people[i] for i in superiors if i in people), key=lambda e: e.employee_no)
    ordered += sorted((people[i] for i in subordinates if i in people), key=lambda e: e.employee_no)
    for person in ordered:
        person.line = "me" if person.pk == user.pk else ("superior" if person.pk in superiors else "subordinate")
    return ordered


def entries_visible_to(user):
    return WorkEntry.objects.visible_to(user, VIEW)


# ------------------------------------------------------------------ supervision (SVC-02, SVC-08)

ASSIGNED = "worklog.assigned"
FEEDBACK = "worklog.feedback"
GUIDED = "worklog.guidance"
register_notification_kind(ASSIGNED, gettext_lazy("%(actor)s gave you the work item “%(title)s”, due %(due)s."))
register_notification_kind(FEEDBACK, gettext_lazy("%(actor)s reported %(progress)s%% on “%(title)s”."))
register_notification_kind(GUIDED, gettext_lazy("%(actor)s left you guidance: “%(text)s”"))


def supervised_employees(user):
    """The employees `user` supervises (their supervise scope), without themselves."""
    from steward.org.hierarchy import SUPERVISE
    from steward.org.models import Employee

    return (
        Employee.objects.visible_to(user, SUPERVISE)
        .filter(is_active=True)
        .exclude(status=Employee.Status.LEFT)
        .exclude(pk=user.pk)
    )


@service
def assign_work(actor, *, title: str, details: str, due_on: dt.date, assignee_ids, now=None) -> WorkItem:
    """Give a work item to one or many employees the actor supervises; each is notified."""
    require_permission(actor, ASSIGN)
    today = timezone.localdate(now)
    if not (title or "").strip():
        raise DomainError(_("Give the work item a title."), field="title")
    if not isinstance(due_on, dt.date) or due_on < today or (due_on - today).days > MAX_DAYS_AWAY:
        raise DomainError(_("The due date must lie between today and a year from now."), field="due_on")
    wanted = {int(pk) for pk in assignee_ids}
    if not wanted:
        raise DomainError(_("Choose at least one employee."), field="assignees")
    allowed = set(supervised_employees(actor).filter(pk__in=wanted).values_list("pk", flat=True))
    if wanted - allowed:
        raise DomainError(_("Work can be given only to employees you supervise."), field="assignees")
    item = WorkItem.objects.create(created_by=actor, title=title.strip(), details=details or "", due_on=due_on)
    WorkAssignment.objects.bulk_create([WorkAssignment(item=item, assignee_id=pk) for pk in sorted(allowed)])
    values = {"actor": actor.name, "title": item.title, "due": due_on.isoformat()}
    notify(allowed, ASSIGNED, values=values, url=item.get_absolute_url(), now=now)
    return item


@service
def report_progress(actor, assignment: WorkAssignment, *, progress: int, text: str, now=None) -> WorkFeedback:
    """The assignee reports progress (0–100 %; 100 % is done); the one who assigned it is notified."""
    require_permission(actor, ITEM_VIEW)
    if assignment.assignee_id != actor.pk:
        raise DomainError(_("Only the employee the work was given to reports its progress."), field="progress")
    if not isinstance(progress, int) or not 0 <= progress <= 100:
        raise DomainError(_("Progress is a whole number from 0 to 100."), field="progress")
    if not (text or "").strip():
        raise DomainError(_("Say what was done."), field="text")
    feedback = WorkFeedback.objects.create(assignment=assignment, author=actor, progress=progress, text=text.strip())
    assignment.progress = progress
    assignment.status = (
        WorkAssignment.Status.DONE
        if progress == 100
        else (WorkAssignment.Status.IN_PROGRESS if progress else WorkAssignment.Status.OPEN)
    )
    assignment.save(update_fields=["progress", "status", "updated_at"])
    item = assignment.item
    values = {"actor": actor.name, "title": item.title, "progress": progress}
    notify([item.created_by_id], FEEDBACK, values=values, url=item.get_absolute_url(), now=now)
    return feedback


@service
def give_guidance(actor, employee, *, text: str, entry: WorkEntry | None = None, now=None) -> Guidance:
    """A supervisor's guidance to an employee they supervise, optionally on one of their entries."""
    require_permission(actor, GUIDE)
    if not supervised_employees(actor).filter(pk=employee.pk).exists():
        raise DomainError(_("Guidance can be given only to employees you supervise."), field="employee")
    if entry is not None and entry.owner_id != employee.pk:
        raise DomainError(_("The entry is not this employee's."), field="entry")
    if not (text or "").strip():
        raise DomainError(_("Write the guidance."), field="text")
    guidance = Guidance.objects.create(author=actor, employee=employee, entry=entry, text=text.strip())
    url = entry.get_absolute_url() if entry is not None else ""
    notify([employee], GUIDED, values={"actor": actor.name, "text": guidance.text[:80]}, url=url, now=now)
    return guidance


def guidance_for(user, limit: int = 20):
    """Guidance `user` received, newest first (for their workbench)."""
    return Guidance.objects.filter(employee=user).select_related("author", "entry")[:limit]


def progress_of(user, item: WorkItem) -> list[WorkAssignment]:
    """The assignments of `item` that `user` may follow: all of them for the one who assigned it
    and for supervisors of the assignees; only their own for an assignee."""
    assignments = item.assignments.select_related("assignee", "assignee__org")
    if item.created_by_id == user.pk:
        return list(assignments)
    supervised = set(supervised_employees(user).values_list("pk", flat=True))
    return [a for a in assignments if a.assignee_id == user.pk or a.assignee_id in supervised]


# ------------------------------------------------------------------ standard workflows (SVC-11)


def parse_steps(text: str) -> list[tuple[str, int]]:
    """Template steps as lines ``title | business days`` (e.g. ``电话联系 | 3``); errors name the line."""
    steps = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        title, sep, days = (part.strip() for part in line.rpartition("|"))
        if not sep or not title:
            raise DomainError(_("Line %(line)s: expected “step | business days”.") % {"line": number}, field="steps")
        if not days.isdigit() or not 0 <= int(days) <= 250:
            raise DomainError(
                _("Line %(line)s: the business days are a whole number from 0 to 250.") % {"line": number},
                field="steps",
            )
        if len(title) > 200:
            raise DomainError(_("Line %(line)s: a step has at most 200 characters.") % {"line": number}, field="steps")
        steps.append((title, int(days)))
    if not steps:
        raise DomainError(_("Give the workflow at least one step."), field="steps")
    return steps


@service
def save_template(actor, template: WorkflowTemplate, steps_text: str) -> WorkflowTemplate:
    """Create or change a template; its steps are replaced (runs already started keep theirs)."""
    require_permission(actor, WORKFLOW_MANAGE)
    steps = parse_steps(steps_text)
    template.full_clean()
    template.save()
    template.steps.all().delete()
    WorkflowTemplateStep.objects.bulk_create(
        [
            WorkflowTemplateStep(template=template, order=i, title=title, due_business_days=days)
            for i, (title, days) in enumerate(steps, start=1)
        ]
    )
    return template


@service
def start_workflow(actor, template: WorkflowTemplate, customer_ids, *, now=None) -> int:
    """Start `template` on each visible customer (one or a selection); a customer already running
    it is skipped. Step due dates count business days from today with the holiday calendar.
    Set-based; answers how many runs were started."""
    from steward.basedata.calendar import add_business_days
    from steward.customers.models import Customer

    require_permission(actor, WORKFLOW_START)
    if not template.is_active:
        raise DomainError(_("This workflow is no longer offered."), field="template")
    wanted = {int(pk) for pk in customer_ids}
    visible = set(Customer.objects.visible_to(actor, WORKFLOW_START).filter(pk__in=wanted).values_list("pk", flat=True))
    if not wanted or wanted - visible:
        raise DomainError(_("Choose customers you may serve."), field="customers")
    running = set(
        WorkflowRun.objects.filter(
            template=template, customer_id__in=visible, status=WorkflowRun.Status.RUNNING
        ).values_list("customer_id", flat=True)
    )
    today = timezone.localdate(now)
    steps = list(template.steps.order_by("order"))
    due = {step.pk: add_business_days(today, step.due_business_days) for step in steps}
    runs = WorkflowRun.objects.bulk_create(
        [
            WorkflowRun(template=template, customer_id=pk, owner=actor, started_on=today)
            for pk in sorted(visible - running)
        ]
    )
    if runs and runs[0].pk is None:  # a backend that does not return ids
        runs = list(WorkflowRun.objects.filter(template=template, started_on=today, customer_id__in=visible - running))
    WorkflowStep.objects.bulk_create(
        [
            WorkflowStep(run_id=run.pk, order=step.order, title=step.title, due_on=due[step.pk])
            for run in runs
            for step in steps
        ],
        batch_size=5000,
    )
    return len(runs)


@service
def complete_step(actor, step: WorkflowStep, *, note: str = "", now=None) -> WorkflowStep:
    """Tick a step off; the run completes with its last step."""
    from steward.access.services import require_visible
    from steward.customers.models import Customer

    require_permission(actor, WORKFLOW_START)
    require_visible(actor, WORKFLOW_START, Customer.objects.get(pk=step.run.customer_id))
    if step.run.status != WorkflowRun.Status.RUNNING:
        raise DomainError(_("The workflow is not running."), field="step")
    if step.done_at is None:
        step.done_at = now or timezone.now()
        step.done_by = actor
        step.note = (note or "")[:500]
        step.save(update_fields=["done_at", "done_by", "note"])
    if not step.run.steps.filter(done_at__isnull=True).exists():
        WorkflowRun.objects.filter(pk=step.run_id).update(status=WorkflowRun.Status.DONE)
    return step


@service
def cancel_run(actor, run: WorkflowRun) -> None:
    from steward.access.services import require_visible
    from steward.customers.models import Customer

    require_permission(actor, WORKFLOW_START)
    require_visible(actor, WORKFLOW_START, Customer.objects.get(pk=run.customer_id))
    WorkflowRun.objects.filter(pk=run.pk, status=WorkflowRun.Status.RUNNING).update(status=WorkflowRun.Status.CANCELLED)


def runs_with_progress(queryset, today):
    """Each run with its steps done, total and overdue (for monitoring), in one query."""
    from django.db.models import Count, Q

    return queryset.annotate(
        steps_total=Count("steps"),
        steps_done=Count("steps", filter=Q(steps__done_at__isnull=False)),
        steps_overdue=Count("steps", filter=Q(steps__done_at__isnull=True, steps__due_on__lt=today)),
    )
