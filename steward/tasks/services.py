"""Business rules of assigned tasks (TASK-01 … TASK-04), written once for pages, API and the job.

* `create_task` checks the task, stores it and materialises its items set-based: the database
  writes them, one ``INSERT … SELECT`` from the source's query (``ON CONFLICT DO NOTHING`` on the
  one-item-per-customer constraint) — no model object per row, no row cap; SQLite and PostgreSQL
  run the same statement.
* A dynamic task's condition is evaluated again by the job ``tasks.evaluate_conditions`` until the
  task is closed (`evaluate_task`): customers who come to match are added, items already there are
  never removed — a worked item stays as it was worked, and a customer is an item once.
* System-assigned tasks are dealt by the allocation engine (`distribute`): even, random (file 003:
  random when fewer items than agents, even otherwise) or weighted by the employee's allocation
  weight; people on leave or gone are skipped, and what they would have had waits for the next run.
* Random draw (`draw_next`) and active pick (`pick`) take one untaken item with one conditional
  UPDATE (``assignee IS NULL``): of two agents taking the same item at once, one gets it and the
  other (draw) tries another or (pick) is told it has just been taken. The agent's own employee row
  is locked for the transaction, so their open count and their take are one step and the task's
  "most open items per agent" holds under concurrency, as in steward/leads/pools.py.
* Re-service items go to the customer's current relationship manager (the lead's holder) when added
  and, while open, follow an owner change at every evaluation (`follow_owners`).
* An item is finished by its assignee: done (optionally recording the contact through the one
  interaction service, steward.interactions.services.record_interaction) or skipped.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from steward.access.scope import path_range_q
from steward.access.services import require_permission, require_visible
from steward.allocation.engine import Target, deal
from steward.audit.services import log_bulk, log_event
from steward.core.errors import DomainError
from steward.core.services import service
from steward.customers.models import Customer
from steward.org.models import Employee, Org
from steward.tasks.models import Task, TaskCategory, TaskItem
from steward.tasks.permissions import CATEGORY_CHANGE, MANAGE, VIEW, WORK

# A conditional UPDATE's IN list stays under every engine's parameter limit.
UPDATE_CHUNK = 900
# A random draw tries this many candidates per round, and at most this many rounds, before it
# says the pool is empty (every candidate was taken by someone else meanwhile).
DRAW_CANDIDATES = 10
DRAW_ROUNDS = 5
TITLE_MAX = 200
NOTE_MAX = 500
CUSTOMER_VIEW = "customers.customer:view"
LEAD_VIEW = "leads.lead:view"

# A lead condition: the keys allowed and what each filters.
LEAD_CONDITION_KEYS = {"stage", "source", "campaign", "province", "city", "held"}


def _chunks(ids: list, size: int = UPDATE_CHUNK) -> Iterable[list]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


# ---------------------------------------------------------------- reading


def visible_tasks(user, permission: str = VIEW):
    return Task.objects.visible_to(user, permission)


def my_open_items(user):
    """The open items `user` serves (TASK-02): every type, oldest first."""
    return TaskItem.objects.filter(assignee=user, status=TaskItem.Status.OPEN)


def takeable_tasks(user):
    """The open random-draw and active-pick tasks `user` is assigned to."""
    return Task.objects.filter(
        status=Task.Status.OPEN, type__in=[Task.Type.RANDOM_DRAW, Task.Type.ACTIVE_PICK], assignees=user
    )


def pool_items(user, task: Task):
    """The untaken open items of a draw or pick task `user` is assigned to (none otherwise)."""
    if not takeable_tasks(user).filter(pk=task.pk).exists():
        return TaskItem.objects.none()
    return TaskItem.objects.filter(task=task, status=TaskItem.Status.OPEN, assignee__isnull=True)


@dataclass
class Progress:
    assignee_id: int | None
    name: str
    open: int = 0
    done: int = 0
    skipped: int = 0


def progress(task: Task) -> list[Progress]:
    """Done / skipped / open per assignee (one aggregate query); untaken items as a row of their own."""
    rows = (
        TaskItem.objects.filter(task=task)
        .values("assignee_id", "assignee__name")
        .annotate(
            open=Count("pk", filter=Q(status=TaskItem.Status.OPEN)),
            done=Count("pk", filter=Q(status=TaskItem.Status.DONE)),
            skipped=Count("pk", filter=Q(status=TaskItem.Status.SKIPPED)),
        )
        .order_by("assignee__name", "assignee_id")
    )
    result = [
        Progress(
            row["assignee_id"], row["assignee__name"] or _("Not taken yet"), row["open"], row["done"], row["skipped"]
        )
        for row in rows
    ]
    # Untaken items last.
    return sorted(result, key=lambda p: p.assignee_id is None)


# ---------------------------------------------------------------- sources


def check_lead_condition(condition) -> dict:
    """A lead filter: ``{"stage": [...], "source": [...], "campaign": "...", "province": "...",
    "city": "...", "held": true|false}``, every key optional. Refused with the key at fault."""
    from steward.leads.models import Lead

    if not isinstance(condition, dict):
        raise DomainError(_("A lead condition is an object of filters."), field="condition")
    unknown = sorted(set(condition) - LEAD_CONDITION_KEYS)
    if unknown:
        raise DomainError(
            _("Unknown lead filters: %(keys)s (known: %(known)s).")
            % {"keys": ", ".join(unknown), "known": ", ".join(sorted(LEAD_CONDITION_KEYS))},
            field="condition",
        )
    for key, choices in (("stage", Lead.Stage.values), ("source", Lead.Source.values)):
        if key in condition:
            values = condition[key]
            if not isinstance(values, list) or not values or any(value not in choices for value in values):
                raise DomainError(
                    _("“%(key)s” is a list of: %(choices)s.") % {"key": key, "choices": ", ".join(choices)},
                    field="condition",
                )
    for key in ("campaign", "province", "city"):
        if key in condition and (not isinstance(condition[key], str) or len(condition[key]) > 100):
            raise DomainError(_("“%(key)s” is a text of at most 100 characters.") % {"key": key}, field="condition")
    if "held" in condition and not isinstance(condition["held"], bool):
        raise DomainError(_("“held” is true or false."), field="condition")
    return condition


def _lead_condition_q(condition: dict) -> Q:
    q = Q()
    if condition.get("stage"):
        q &= Q(stage__in=condition["stage"])
    if condition.get("source"):
        q &= Q(source__in=condition["source"])
    if condition.get("campaign"):
        q &= Q(campaign=condition["campaign"])
    if condition.get("province"):
        q &= Q(mobile_province=condition["province"])
    if condition.get("city"):
        q &= Q(mobile_city=condition["city"])
    if "held" in condition:
        q &= Q(holder__isnull=not condition["held"])
    return q


def source_queryset(task: Task, viewer, today: dt.date):
    """Who the task's condition selects now, as `viewer` (the task's creator) may see them, in the
    task's org and below. Customers: the segment language (steward.segments), live customers, none
    confidential (an item is shown to agents and managers who may not be granted them). Leads: the
    lead filter, leads still being worked (neither converted nor invalid)."""
    if task.subject == Task.Subject.LEADS:
        from steward.leads.models import Lead

        leads = Lead.objects.visible_to(viewer, LEAD_VIEW).filter(
            org__in=Org.objects.filter(path_range_q("path", task.org.path)).values("pk")
        )
        leads = leads.exclude(stage__in=[Lead.Stage.CONVERTED, Lead.Stage.INVALID])
        if any(field.name == "merged_into" for field in Lead._meta.fields):
            leads = leads.filter(merged_into__isnull=True)
        return leads.filter(_lead_condition_q(task.condition or {}))
    from steward.segments.definition import segment_queryset

    customers = segment_queryset(viewer, task.condition or {"op": "and", "rules": []}, today, CUSTOMER_VIEW)
    return customers.filter(
        org__in=Org.objects.filter(path_range_q("path", task.org.path)).values("pk"),
        status__in=[Customer.Status.ACTIVE, Customer.Status.DORMANT],
        is_confidential=False,
    )


def _owner_field(task: Task) -> str:
    return "holder_id" if task.subject == Task.Subject.LEADS else "owner_id"


def _subject_field(task: Task) -> str:
    return "lead_id" if task.subject == Task.Subject.LEADS else "customer_id"


def _add_items(actor, task: Task, subjects, now: dt.datetime) -> int:
    """Add an item for each of `subjects` (a queryset) not yet an item of the task, written by the
    database: one ``INSERT INTO tasks_taskitem … SELECT … FROM (the subjects' query) … ON CONFLICT
    DO NOTHING RETURNING id`` — no model object per row, no row cap (the same SQL on SQLite and
    PostgreSQL). A subject already an item (or added meanwhile by a concurrent evaluation) is
    skipped by the unique constraint. Re-service items go to the owner at once. The audit summary
    names the items written (log_bulk). Answers how many were added."""
    subject_field = _subject_field(task)
    present = TaskItem.objects.filter(task=task).exclude(**{f"{subject_field}__isnull": True}).values(subject_field)
    remaining = subjects.exclude(pk__in=present).order_by()
    follows_owner = task.type == Task.Type.RE_SERVICE
    selected = remaining.values(item_subject=F("pk"), item_owner=F(_owner_field(task)))
    select_sql, select_params = selected.query.sql_with_params()
    stamp = connection.ops.adapt_datetimefield_value(now)
    table = connection.ops.quote_name(TaskItem._meta.db_table)
    columns = ", ".join(
        connection.ops.quote_name(column)
        for column in ("task_id", subject_field, "assignee_id", "status", "added_at", "taken_at", "outcome_note")
    )
    if follows_owner:
        assignee, taken_at = "page.item_owner", "CASE WHEN page.item_owner IS NULL THEN NULL ELSE %s END"
        taken_params = [stamp]
    else:
        assignee, taken_at, taken_params = "NULL", "NULL", []
    # "WHERE 1 = 1": SQLite reads "… FROM x ON CONFLICT" as a join constraint without a WHERE.
    sql = (
        f"INSERT INTO {table} ({columns}) "
        f"SELECT %s, page.item_subject, {assignee}, %s, %s, {taken_at}, '' "
        f"FROM ({select_sql}) page WHERE 1 = 1 ORDER BY page.item_subject "
        f"ON CONFLICT DO NOTHING RETURNING {connection.ops.quote_name('id')}"
    )
    params = [task.pk, TaskItem.Status.OPEN, stamp, *taken_params, *select_params]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        created = [row[0] for row in cursor.fetchall()]
    if created:
        log_bulk("create", TaskItem, created, actor=actor, message=f"task {task.pk}")
    return len(created)


# ---------------------------------------------------------------- distribution (system-assigned)


def on_leave_ids(employee_ids: Iterable[int], day: dt.date) -> set[int]:
    """Who among `employee_ids` is away on `day`: the employee's status, and the attendance record
    of that day when the attendance app keeps one (OFF-07)."""
    ids = set(employee_ids)
    away = set(
        Employee.objects.filter(pk__in=ids)
        .filter(Q(status__in=[Employee.Status.ON_LEAVE, Employee.Status.LEFT]) | Q(is_active=False))
        .values_list("pk", flat=True)
    )
    try:
        from steward.attendance.services import on_leave
    except ImportError:  # the attendance app without its services yet: the status alone decides
        return away
    return away | set(on_leave(ids - away, day))


def available_agents(task: Task, day: dt.date) -> list[Employee]:
    """The task's assignees who can be given items on `day` (not on leave, not gone)."""
    assignees = list(task.assignees.order_by("pk"))
    away = on_leave_ids([employee.pk for employee in assignees], day)
    return [employee for employee in assignees if employee.pk not in away]


def distribute(actor, task: Task, *, now: dt.datetime, rng: random.Random | None = None) -> int:
    """Deal the task's untaken open items to its available assignees by the task's method
    (TASK-03). Items no one can take now (everyone away) stay untaken for the next evaluation.
    One UPDATE per assignee and chunk. Answers how many items were dealt."""
    if task.type != Task.Type.SYSTEM_ASSIGNED or not task.is_open:
        return 0
    agents = available_agents(task, timezone.localdate(now))
    if not agents:
        return 0
    untaken = list(
        TaskItem.objects.filter(task=task, status=TaskItem.Status.OPEN, assignee__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not untaken:
        return 0
    targets = [Target(key=agent.pk, weight=agent.allocation_weight) for agent in agents]
    dealt = deal(untaken, targets, task.method or Task.Method.EVEN, rng or random.SystemRandom())
    moved = []
    for employee_id, item_ids in dealt.items():
        for chunk in _chunks(item_ids):
            TaskItem.objects.filter(pk__in=chunk, assignee__isnull=True).update(assignee_id=employee_id, taken_at=now)
        moved.extend(item_ids)
    if moved:
        log_bulk("update", TaskItem, moved, actor=actor, message=f"task {task.pk} dealt {task.method}")
    return len(moved)


def follow_owners(actor, task: Task, *, now: dt.datetime) -> int:
    """Re-service (TASK-02): each open item goes to its customer's current relationship manager (the
    lead's current holder); worked items stay with whoever worked them. Answers how many moved."""
    if task.type != Task.Type.RE_SERVICE:
        return 0
    owner_path = "lead__holder_id" if task.subject == Task.Subject.LEADS else "customer__owner_id"
    # Only the items whose owner changed are read (the database compares), not every open item.
    rows = (
        TaskItem.objects.filter(task=task, status=TaskItem.Status.OPEN)
        .annotate(current_owner=F(owner_path))
        .filter(
            Q(assignee__isnull=True, current_owner__isnull=False)
            | Q(assignee__isnull=False, current_owner__isnull=True)
            | (Q(assignee__isnull=False, current_owner__isnull=False) & ~Q(assignee_id=F("current_owner")))
        )
        .values_list("pk", "current_owner")
    )
    by_owner: dict[int | None, list[int]] = {}
    for pk, owner_id in rows.iterator(chunk_size=UPDATE_CHUNK):
        by_owner.setdefault(owner_id, []).append(pk)
    moved = []
    for owner_id, item_ids in by_owner.items():
        for chunk in _chunks(item_ids):
            TaskItem.objects.filter(pk__in=chunk, status=TaskItem.Status.OPEN).update(
                assignee_id=owner_id, taken_at=now if owner_id else None
            )
        moved.extend(item_ids)
    if moved:
        log_bulk("update", TaskItem, moved, actor=actor, message=f"task {task.pk} follows owners")
    return len(moved)


# ---------------------------------------------------------------- creating, evaluating, closing


def _clean_text(value, field: str, limit: int, *, required: bool = False, label: str = "") -> str:
    text = (value or "").strip() if isinstance(value, str) else ""
    if value not in (None, "") and not isinstance(value, str):
        raise DomainError(_("Enter %(what)s as text.") % {"what": label or field}, field=field)
    if required and not text:
        raise DomainError(_("Enter %(what)s.") % {"what": label or field}, field=field)
    if len(text) > limit:
        raise DomainError(_("At most %(n)s characters.") % {"n": limit}, field=field)
    return text


def _ids(values, field: str) -> list[int]:
    if values is None:
        return []
    if not isinstance(values, list | tuple | set):
        raise DomainError(_("Send a list of ids."), field=field)
    ids = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).isdigit():
            raise DomainError(_("“%(value)s” is not an id.") % {"value": str(value)[:40]}, field=field)
        number = int(value)
        if not 0 < number < 2**63:
            raise DomainError(_("“%(value)s” is not an id.") % {"value": str(value)[:40]}, field=field)
        ids.append(number)
    return sorted(set(ids))


@service
def create_task(
    actor,
    *,
    title: str,
    category: TaskCategory,
    org: Org,
    type: str,
    subject: str = Task.Subject.CUSTOMERS,
    source: str = Task.Source.FIXED,
    condition: dict | None = None,
    customer_ids: Iterable[int] | None = None,
    lead_ids: Iterable[int] | None = None,
    method: str = Task.Method.EVEN,
    assignee_ids: Iterable[int] = (),
    description: str = "",
    due_on: dt.date | None = None,
    max_open_per_agent: int | None = None,
    now: dt.datetime | None = None,
    rng: random.Random | None = None,
) -> Task:
    """Create a task of the actor's orgs (TASK-01 … TASK-04) and materialise its items.

    The source is a fixed selection (the ids given, or a condition evaluated once now) or a dynamic
    condition (evaluated now and again by the job until the task closes). Customers come from the
    org's subtree as the actor may see them; assignees work in that subtree. Nothing is stored
    unless the whole task is valid."""
    now = now or timezone.now()
    require_permission(actor, MANAGE)
    title = _clean_text(title, "title", TITLE_MAX, required=True, label=_("a title"))
    description = _clean_text(description, "description", 4000)
    if not isinstance(category, TaskCategory) or not category.active:
        raise DomainError(_("Choose an active category."), field="category")
    if not isinstance(org, Org) or not Org.objects.visible_to(actor, MANAGE).filter(pk=org.pk).exists():
        raise DomainError(_("Choose an org whose tasks you manage."), field="org")
    if type not in Task.Type.values:
        raise DomainError(_("Choose the type of task."), field="type")
    if subject not in Task.Subject.values:
        raise DomainError(_("Choose whether the items are customers or potential customers."), field="subject")
    if source not in Task.Source.values:
        raise DomainError(_("Choose a fixed selection or a dynamic condition."), field="source")
    if type == Task.Type.SYSTEM_ASSIGNED and method not in Task.Method.values:
        raise DomainError(_("Choose how the items are distributed: even, random or weighted."), field="method")
    if max_open_per_agent is not None and (
        isinstance(max_open_per_agent, bool)
        or not isinstance(max_open_per_agent, int)
        or not 0 < max_open_per_agent < 2**31
    ):
        raise DomainError(
            _("The most open items per agent is a whole number of at least 1."), field="max_open_per_agent"
        )
    if due_on is not None and not isinstance(due_on, dt.date):
        raise DomainError(_("Enter the due date as a date."), field="due_on")
    selected_ids = _ids(lead_ids if subject == Task.Subject.LEADS else customer_ids, "items")
    if condition and selected_ids:
        raise DomainError(_("Choose the items one way: a selection or a condition."), field="condition")
    if source == Task.Source.DYNAMIC and not condition:
        raise DomainError(
            _("A dynamic task is defined by a condition, evaluated until the task closes."), field="condition"
        )
    if not selected_ids and not condition:
        raise DomainError(_("Choose the items: a selection or a condition."), field="items")
    condition = condition or {}
    if subject == Task.Subject.LEADS:
        check_lead_condition(condition)
    elif condition:
        from steward.segments.definition import compile_definition

        compile_definition(condition, timezone.localdate(now))  # names the rule at fault
    assignees = _assignees(actor, org, assignee_ids)
    if type != Task.Type.RE_SERVICE and not assignees:
        raise DomainError(_("Name at least one assignee."), field="assignees")
    if type == Task.Type.RE_SERVICE and assignees:
        raise DomainError(
            _("A re-service task goes to each customer's own relationship manager; name no assignees."),
            field="assignees",
        )
    task = Task.objects.create(
        title=title,
        category=category,
        org=org,
        description=description,
        type=type,
        subject=subject,
        source=source,
        condition=condition if not selected_ids else {},
        method=method if type == Task.Type.SYSTEM_ASSIGNED else "",
        due_on=due_on,
        max_open_per_agent=max_open_per_agent if type in (Task.Type.RANDOM_DRAW, Task.Type.ACTIVE_PICK) else None,
        created_by=actor,
        created_at=now,
        last_evaluated_at=now,
    )
    task.assignees.set(assignees)
    subjects = source_queryset(task, actor, timezone.localdate(now))
    if selected_ids:
        found = set()
        for chunk in _chunks(selected_ids):
            found.update(subjects.filter(pk__in=chunk).values_list("pk", flat=True))
        missing = [pk for pk in selected_ids if pk not in found]
        if missing:
            raise DomainError(
                _("%(count)s of the chosen items are not ones you may put in a task of %(org)s (e.g. id %(id)s).")
                % {"count": f"{len(missing):,}", "org": org.name, "id": missing[0]},
                field="items",
            )
        _add_selected(actor, task, subjects, selected_ids, now)
    elif _add_items(actor, task, subjects, now) == 0 and source == Task.Source.FIXED:
        raise DomainError(_("The condition selects nobody for this task."), field="condition")
    distribute(actor, task, now=now, rng=rng)
    log_event("tasks.created", task, actor=actor, message=f"{type} {subject} {source}")
    return task


def _add_selected(actor, task: Task, subjects, ids: list[int], now: dt.datetime) -> int:
    """Items for a long checked selection of ids: the same INSERT … SELECT as a condition, one per
    chunk of ids (an IN list stays under every engine's parameter limit)."""
    return sum(_add_items(actor, task, subjects.filter(pk__in=chunk), now) for chunk in _chunks(ids))


def _assignees(actor, org: Org, assignee_ids) -> list[Employee]:
    ids = _ids(list(assignee_ids or []), "assignees")
    if not ids:
        return []
    people = list(
        Employee.objects.visible_to(actor, MANAGE)
        .filter(pk__in=ids, is_active=True)
        .exclude(status=Employee.Status.LEFT)
        .filter(org__in=Org.objects.filter(path_range_q("path", org.path)).values("pk"))
    )
    if len(people) != len(ids):
        raise DomainError(
            _("Assignees must be active employees of %(org)s or an org below it whom you manage.") % {"org": org.name},
            field="assignees",
        )
    return people


@dataclass
class Evaluation:
    added: int = 0
    dealt: int = 0
    moved: int = 0


def evaluate_task(actor, task: Task, *, now: dt.datetime, rng: random.Random | None = None) -> Evaluation:
    """One open task brought up to date (TASK-04): a dynamic condition adds the subjects that match
    now and are no item yet (as the task's creator may see them; a creator who left adds none);
    system-assigned items not yet dealt are dealt; re-service items follow their owner. Idempotent:
    a second run at the same moment changes nothing."""
    result = Evaluation()
    if not task.is_open:
        return result
    with transaction.atomic():
        creator = task.created_by
        if task.source == Task.Source.DYNAMIC and creator is not None and creator.is_active:
            subjects = source_queryset(task, creator, timezone.localdate(now))
            result.added = _add_items(actor, task, subjects, now)
        result.dealt = distribute(actor, task, now=now, rng=rng)
        result.moved = follow_owners(actor, task, now=now)
        Task.objects.filter(pk=task.pk).update(last_evaluated_at=now)
    return result


def evaluate_open_tasks(*, now: dt.datetime) -> tuple[int, Evaluation]:
    """The scheduled job's work: every open task that can change (dynamic, system-assigned with
    untaken items, re-service), each in its own transaction. Answers (tasks, totals)."""
    total = Evaluation()
    tasks = Task.objects.filter(status=Task.Status.OPEN).filter(
        Q(source=Task.Source.DYNAMIC) | Q(type__in=[Task.Type.SYSTEM_ASSIGNED, Task.Type.RE_SERVICE])
    )
    count = 0
    for task in tasks.select_related("org", "created_by").order_by("pk").iterator(chunk_size=100):
        result = evaluate_task(None, task, now=now)
        total.added += result.added
        total.dealt += result.dealt
        total.moved += result.moved
        count += 1
    return count, total


@service
def evaluate_now(actor, task: Task, *, now: dt.datetime | None = None) -> Evaluation:
    """A manager's "Evaluate now" on one task (what the job does on its schedule)."""
    require_visible(actor, MANAGE, task)
    return evaluate_task(actor, task, now=now or timezone.now())


@service
def close_task(actor, task: Task, *, now: dt.datetime | None = None) -> Task:
    """Close a task (TASK-04): its condition is evaluated no more and nothing more is taken; items
    already taken may still be finished."""
    require_visible(actor, MANAGE, task)
    if not task.is_open:
        raise DomainError(_("This task is closed already."), field="status")
    task.status = Task.Status.CLOSED
    task.closed_at = now or timezone.now()
    task.save(update_fields=["status", "closed_at"])
    return task


# ---------------------------------------------------------------- taking items (draw, pick)


def _lock_agent(agent) -> None:
    # The agent's takes are counted and made one at a time, so the cap holds (module docstring).
    Employee.objects.select_for_update().filter(pk=agent.pk).values_list("pk", flat=True).first()


def _check_can_take(agent, task: Task, kind: str) -> None:
    if task.type != kind:
        if kind == Task.Type.RANDOM_DRAW:
            raise DomainError(_("Items of this task are not drawn at random."), field="task")
        raise DomainError(_("Items of this task are not picked by the agents."), field="task")
    if not task.is_open:
        raise DomainError(_("This task is closed."), field="task")
    if not task.assignees.filter(pk=agent.pk).exists():
        raise DomainError(_("You are not assigned to this task."), field="task")
    if task.max_open_per_agent is not None:
        held = TaskItem.objects.filter(task=task, assignee=agent, status=TaskItem.Status.OPEN).count()
        if held >= task.max_open_per_agent:
            raise DomainError(
                _("You hold %(n)s open items of this task, the most it allows; finish one before taking more.")
                % {"n": task.max_open_per_agent},
                field="task",
            )


def _take(item_id: int, task: Task, agent, now: dt.datetime) -> bool:
    return (
        TaskItem.objects.filter(pk=item_id, task=task, status=TaskItem.Status.OPEN, assignee__isnull=True).update(
            assignee=agent, taken_at=now
        )
        == 1
    )


def draw_next(agent, task: Task, *, now: dt.datetime | None = None) -> TaskItem:
    """Random draw (TASK-02): the agent gets an untaken item of the task, which one is chance;
    refused at the task's most open items per agent. Race-safe (module docstring)."""
    require_permission(agent, WORK)
    now = now or timezone.now()
    with transaction.atomic():
        _lock_agent(agent)
        task = Task.objects.filter(pk=task.pk).first() or task
        _check_can_take(agent, task, Task.Type.RANDOM_DRAW)
        for _round in range(DRAW_ROUNDS):
            candidates = list(
                TaskItem.objects.filter(task=task, status=TaskItem.Status.OPEN, assignee__isnull=True)
                .order_by("?")
                .values_list("pk", flat=True)[:DRAW_CANDIDATES]
            )
            if not candidates:
                break
            for item_id in candidates:
                if _take(item_id, task, agent, now):
                    item = TaskItem.objects.select_related("task", "customer", "lead").get(pk=item_id)
                    log_event("tasks.drawn", item, actor=agent, message=f"task {task.pk}")
                    return item
        raise DomainError(_("No item of this task is left to draw."), field="task")


def pick(agent, item: TaskItem, *, now: dt.datetime | None = None) -> TaskItem:
    """Active pick (TASK-02): the agent takes the item they chose from the task's untaken ones;
    refused at the task's most open items per agent, or when someone took it first."""
    require_permission(agent, WORK)
    now = now or timezone.now()
    with transaction.atomic():
        _lock_agent(agent)
        task = Task.objects.get(pk=item.task_id)
        _check_can_take(agent, task, Task.Type.ACTIVE_PICK)
        if not _take(item.pk, task, agent, now):
            raise DomainError(_("Someone else has just taken this item."), field="item")
        item = TaskItem.objects.select_related("task", "customer", "lead").get(pk=item.pk)
        log_event("tasks.picked", item, actor=agent, message=f"task {task.pk}")
        return item


# ---------------------------------------------------------------- finishing items


def _require_own_open_item(actor, item: TaskItem) -> None:
    require_permission(actor, WORK)
    if item.assignee_id != actor.pk:
        raise DomainError(_("This item is not yours to finish."), field="item")
    if item.status != TaskItem.Status.OPEN:
        raise DomainError(_("This item is finished already."), field="item")


@service
def complete_item(
    actor,
    item: TaskItem,
    *,
    outcome_note: str = "",
    contact: dict | None = None,
    now: dt.datetime | None = None,
) -> TaskItem:
    """The assignee marks their item done (TASK-02). With `contact` (channel, outcome, occurred_at,
    and optionally duration_seconds, summary, next_step) the contact made is recorded and linked to
    the item: a customer's through the interaction record's one service (record_interaction), a
    lead's as the holder's follow-up (steward.leads.followups.record_followup)."""
    now = now or timezone.now()
    _require_own_open_item(actor, item)
    outcome_note = _clean_text(outcome_note, "outcome_note", NOTE_MAX)
    if contact:
        from steward.interactions.models import Interaction

        if not isinstance(contact, dict):
            raise DomainError(_("The contact is an object of its fields."), field="contact")
        if contact.get("channel", Interaction.Channel.CALL) not in Interaction.Channel.values:
            raise DomainError(_("Choose how the customer was contacted."), field="channel")
        if contact.get("outcome") not in Interaction.Outcome.values:
            raise DomainError(_("Choose the result of the contact."), field="outcome")
        values = {
            "channel": contact.get("channel") or Interaction.Channel.CALL,
            "direction": contact.get("direction") or Interaction.Direction.OUTBOUND,
            "occurred_at": contact.get("occurred_at") or now,
            "duration_seconds": contact.get("duration_seconds"),
            "outcome": contact["outcome"],
            "summary": contact.get("summary") or outcome_note,
            "next_step": contact.get("next_step") or "",
            "now": now,
        }
        if item.customer_id is not None:
            from steward.interactions.services import record_interaction

            item.interaction = record_interaction(actor, item.customer, **values)
        else:
            # A lead's follow-up moves the lead too (stage, counts, protection): the leads module's one path.
            from steward.leads.followups import record_followup

            item.interaction = record_followup(actor, item.lead, **values)
    item.status = TaskItem.Status.DONE
    item.done_at = now
    item.outcome_note = outcome_note
    item.save(update_fields=["status", "done_at", "outcome_note", "interaction"])
    return item


@service
def skip_item(actor, item: TaskItem, *, outcome_note: str = "", now: dt.datetime | None = None) -> TaskItem:
    """The assignee skips their item (the customer cannot be served now), saying why."""
    _require_own_open_item(actor, item)
    outcome_note = _clean_text(outcome_note, "outcome_note", NOTE_MAX, required=True, label=_("why it is skipped"))
    item.status = TaskItem.Status.SKIPPED
    item.done_at = now or timezone.now()
    item.outcome_note = outcome_note
    item.save(update_fields=["status", "done_at", "outcome_note"])
    return item


# ---------------------------------------------------------------- categories


@service
def save_category(actor, category: TaskCategory) -> TaskCategory:
    """Add or change a task category (TASK-01); a name is used once."""
    require_permission(actor, CATEGORY_CHANGE)
    category.name = (category.name or "").strip()
    category.full_clean()
    category.save()
    return category
