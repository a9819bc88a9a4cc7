"""Assigned tasks (TASK-01 … TASK-04): the four types of file 003 — system-assigned (dealt even,
random or weighted, people on leave skipped), random draw, active pick and re-service (follows an
owner change) —, the most open items per agent for draw and pick, a dynamic condition evaluated
again by the job (adds new matching customers, keeps worked items), the fixed selection checked
against the creator's scope, set-based materialisation in batches, finishing an item with the
contact recorded in the interaction record, and the data scope (another branch sees nothing)."""

import datetime as dt
import random

import pytest
from django.core.exceptions import PermissionDenied

from steward.core.errors import DomainError
from steward.customers.models import Customer
from steward.customers.tests.factories import CustomerFactory
from steward.interactions.models import Interaction
from steward.jobs.registry import jobs
from steward.tasks import services
from steward.tasks.models import Task, TaskItem
from steward.tasks.permissions import MANAGE, VIEW, WORK
from steward.tasks.tests.conftest import NOW

WOMEN = {"op": "and", "rules": [{"field": "gender", "operator": "eq", "value": "F"}]}


def make(world, type, *, assignees=None, **more):
    values = {
        "title": "年末回访",
        "category": world.category,
        "org": world.north,
        "type": type,
        "customer_ids": [c.pk for c in world.north_customers],
        "assignee_ids": [p.pk for p in (assignees if assignees is not None else [world.north_rm, world.north_rm2])],
        "now": NOW,
    }
    values.update(more)
    if "condition" in more:
        values.pop("customer_ids")
    return services.create_task(world.north_manager, **values)


def counts(task):
    result = {}
    for assignee_id in TaskItem.objects.filter(task=task).values_list("assignee_id", flat=True):
        result[assignee_id] = result.get(assignee_id, 0) + 1
    return result


# ---------------------------------------------------------------- system-assigned


def test_system_assigned_deals_evenly_and_skips_the_person_on_leave(world):
    """TASK-02, TASK-03: seven customers, three assignees of whom one is on leave: 4 and 3 to the
    two present, none to the one away, none left untaken."""
    task = make(world, Task.Type.SYSTEM_ASSIGNED, assignees=[world.north_rm, world.north_rm2, world.away_rm])
    assert sorted(counts(task).values()) == [3, 4]
    assert world.away_rm.pk not in counts(task)
    assert not TaskItem.objects.filter(task=task, assignee__isnull=True).exists()


def test_system_assigned_weighted_follows_the_allocation_weight(world):
    """TASK-03: weights 3 and 1 over 8 customers give 6 and 2."""
    world.north_rm.allocation_weight, world.north_rm2.allocation_weight = 3, 1
    world.north_rm.save()
    world.north_rm2.save()
    CustomerFactory(org=world.north_team, owner=world.north_rm, cif="N900")
    ids = list(Customer.objects.filter(org=world.north_team).values_list("pk", flat=True))
    task = make(world, Task.Type.SYSTEM_ASSIGNED, method=Task.Method.WEIGHTED, customer_ids=ids)
    assert counts(task) == {world.north_rm.pk: 6, world.north_rm2.pk: 2}


def test_system_assigned_random_with_fewer_items_than_people_gives_one_each_at_random(world):
    """TASK-03 (file 003): two items, three people present: two people get one each, drawn at random."""
    extra = world.north_manager
    winners = set()
    for seed in range(12):
        task = make(
            world,
            Task.Type.SYSTEM_ASSIGNED,
            method=Task.Method.RANDOM,
            customer_ids=[world.mine[0].pk, world.mine[1].pk],
            assignees=[world.north_rm, world.north_rm2, extra],
            rng=random.Random(seed),
        )
        assert sorted(counts(task).values()) == [1, 1]
        winners.update(counts(task))
    assert winners == {world.north_rm.pk, world.north_rm2.pk, extra.pk}


def test_items_left_undealt_while_everyone_is_away_are_dealt_by_the_job(world):
    """TASK-03: with its only assignee on leave the items wait; once back, the job deals them."""
    task = make(world, Task.Type.SYSTEM_ASSIGNED, assignees=[world.away_rm])
    assert counts(task) == {None: 7}
    world.away_rm.status = "active"
    world.away_rm.save()
    jobs.get("tasks.evaluate_conditions").func(None, NOW + dt.timedelta(hours=1))
    assert counts(task) == {world.away_rm.pk: 7}


# ---------------------------------------------------------------- random draw and active pick


def test_random_draw_takes_untaken_items_up_to_the_cap(world):
    """TASK-02, TASK-03: nothing is given at creation; an agent draws one item at a time, at most
    two open at once; finishing one lets them draw again; someone not assigned may not draw."""
    task = make(world, Task.Type.RANDOM_DRAW, max_open_per_agent=2)
    assert counts(task) == {None: 7}
    first = services.draw_next(world.north_rm, task, now=NOW)
    second = services.draw_next(world.north_rm, task, now=NOW)
    assert first.pk != second.pk and {first.assignee_id, second.assignee_id} == {world.north_rm.pk}
    with pytest.raises(DomainError, match="the most it allows"):
        services.draw_next(world.north_rm, task, now=NOW)
    services.skip_item(world.north_rm, first, outcome_note="电话空号", now=NOW)
    assert services.draw_next(world.north_rm, task, now=NOW).assignee == world.north_rm
    with pytest.raises(DomainError, match="not assigned"):
        services.draw_next(world.south_rm, task, now=NOW)
    # The other agent draws the rest; then the pool is empty.
    task.max_open_per_agent = None
    task.save()
    for _n in range(4):
        services.draw_next(world.north_rm2, task, now=NOW)
    with pytest.raises(DomainError, match="left to draw"):
        services.draw_next(world.north_rm2, task, now=NOW)


def test_random_draw_is_not_in_creation_order(world):
    """TASK-02: which item is drawn is chance: over many draws the first drawn is not always the oldest."""
    firsts = set()
    for _n in range(15):
        task = make(world, Task.Type.RANDOM_DRAW)
        firsts.add(services.draw_next(world.north_rm, task, now=NOW).customer_id)
    assert len(firsts) > 1


def test_active_pick_takes_the_chosen_item_once_within_the_cap(world):
    """TASK-02, TASK-03: the agent chooses; an item taken is taken; at most one open at once."""
    task = make(world, Task.Type.ACTIVE_PICK, max_open_per_agent=1)
    items = list(TaskItem.objects.filter(task=task).order_by("pk"))
    assert services.pick(world.north_rm, items[2], now=NOW).assignee == world.north_rm
    with pytest.raises(DomainError, match="just taken"):
        services.pick(world.north_rm2, items[2], now=NOW)
    with pytest.raises(DomainError, match="the most it allows"):
        services.pick(world.north_rm, items[3], now=NOW)
    services.complete_item(world.north_rm, TaskItem.objects.get(pk=items[2].pk), outcome_note="已回访", now=NOW)
    assert services.pick(world.north_rm, items[3], now=NOW).assignee == world.north_rm
    with pytest.raises(DomainError, match="not drawn at random"):
        services.draw_next(world.north_rm2, task, now=NOW)


def test_a_closed_task_gives_nothing_more(world):
    """TASK-04: once closed nothing more is taken."""
    task = make(world, Task.Type.ACTIVE_PICK)
    services.close_task(world.north_manager, task, now=NOW)
    with pytest.raises(DomainError, match="closed"):
        services.pick(world.north_rm, TaskItem.objects.filter(task=task).first(), now=NOW)


# ---------------------------------------------------------------- re-service


def test_re_service_items_go_to_the_owner_and_follow_an_owner_change(world):
    """TASK-02: each item goes to the customer's relationship manager; when an open item's customer
    changes owner, the job gives it to the new owner; a worked item stays with whoever worked it."""
    task = make(world, Task.Type.RE_SERVICE, assignees=[])
    assert counts(task) == {world.north_rm.pk: 4, world.north_rm2.pk: 3}
    worked = TaskItem.objects.get(task=task, customer=world.mine[0])
    services.complete_item(world.north_rm, worked, outcome_note="已关怀", now=NOW)
    Customer.objects.filter(pk__in=[world.mine[0].pk, world.mine[1].pk]).update(owner=world.north_rm2)
    services.evaluate_open_tasks(now=NOW + dt.timedelta(hours=1))
    assert TaskItem.objects.get(task=task, customer=world.mine[1]).assignee == world.north_rm2
    assert TaskItem.objects.get(pk=worked.pk).assignee == world.north_rm
    assert counts(task) == {world.north_rm.pk: 3, world.north_rm2.pk: 4}


def test_re_service_names_no_assignees(world):
    """TASK-02: a re-service task's items go to owners; naming assignees is refused with the reason."""
    with pytest.raises(DomainError, match="relationship manager") as error:
        make(world, Task.Type.RE_SERVICE)
    assert error.value.field == "assignees"


# ---------------------------------------------------------------- sources


def test_a_dynamic_condition_adds_new_matches_and_keeps_worked_items(world):
    """TASK-04: women of the north branch; a worked item stays when its customer no longer matches;
    a new customer who matches is added by the job once; a closed task is evaluated no more."""
    task = make(world, Task.Type.RANDOM_DRAW, source=Task.Source.DYNAMIC, condition=WOMEN)
    assert TaskItem.objects.filter(task=task).count() == 4
    drawn = services.draw_next(world.north_rm, task, now=NOW)
    services.complete_item(world.north_rm, drawn, outcome_note="完成", now=NOW)
    Customer.objects.filter(pk=drawn.customer_id).update(gender="M")
    newcomer = CustomerFactory(org=world.north_team, owner=world.north_rm2, cif="N777", gender="F")
    CustomerFactory(org=world.south_team, owner=world.south_rm, cif="S777", gender="F")  # another branch
    later = NOW + dt.timedelta(hours=1)
    tasks, totals = services.evaluate_open_tasks(now=later)
    assert (tasks, totals.added) == (1, 1)
    assert TaskItem.objects.filter(task=task, customer=newcomer, assignee__isnull=True).exists()
    assert TaskItem.objects.get(pk=drawn.pk).status == TaskItem.Status.DONE
    assert TaskItem.objects.filter(task=task).count() == 5
    assert services.evaluate_open_tasks(now=later)[1].added == 0  # idempotent
    services.close_task(world.north_manager, task, now=later)
    CustomerFactory(org=world.north_team, owner=world.north_rm, cif="N778", gender="F")
    assert services.evaluate_open_tasks(now=later)[0] == 0
    assert TaskItem.objects.filter(task=task).count() == 5


def test_a_fixed_selection_outside_the_creators_scope_is_refused_whole(world):
    """TASK-04: a customer of another branch in the selection refuses the task; nothing is stored."""
    with pytest.raises(DomainError, match="not ones you may put") as error:
        make(world, Task.Type.RANDOM_DRAW, customer_ids=[world.mine[0].pk, world.south_customer.pk])
    assert error.value.field == "items"
    assert not Task.objects.exists() and not TaskItem.objects.exists()


def test_bad_input_names_its_field(world):
    """TASK-01: a missing title, an inactive category, a bad condition, an org outside scope."""
    with pytest.raises(DomainError) as error:
        make(world, Task.Type.RANDOM_DRAW, title=" ")
    assert error.value.field == "title"
    with pytest.raises(DomainError) as error:
        make(world, Task.Type.RANDOM_DRAW, org=world.south)
    assert error.value.field == "org"
    with pytest.raises(DomainError, match="Rule 1") as error:
        make(world, Task.Type.RANDOM_DRAW, source=Task.Source.DYNAMIC, condition={"op": "and", "rules": [{"x": 1}]})
    world.category.active = False
    world.category.save()
    with pytest.raises(DomainError) as error:
        make(world, Task.Type.RANDOM_DRAW)
    assert error.value.field == "category"


def test_items_are_written_by_the_database_in_one_statement(world):
    """TASK-04, set-based: the items are written by one INSERT … SELECT from the customers' query
    (no model object per row, whatever the number of customers), the audit summary names every
    item written, and a customer already an item is not added again."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from steward.audit.models import AuditEntry

    with CaptureQueriesContext(connection) as captured:
        task = make(world, Task.Type.RANDOM_DRAW, source=Task.Source.DYNAMIC, condition={"op": "and", "rules": []})
    inserts = [q["sql"] for q in captured if q["sql"].startswith('INSERT INTO "tasks_taskitem"')]
    assert len(inserts) == 1 and "SELECT" in inserts[0]
    items = set(TaskItem.objects.filter(task=task).values_list("pk", flat=True))
    assert set(TaskItem.objects.filter(task=task).values_list("customer_id", flat=True)) == {
        c.pk for c in world.north_customers
    }
    logged = AuditEntry.objects.filter(action="create", object_type="tasks.taskitem", message=f"task {task.pk}")
    assert {pk for entry in logged for pk in entry.ids} == items
    # A customer who is an item already is not added again.
    assert services._add_items(None, task, Customer.objects.filter(pk=world.mine[0].pk), NOW) == 0
    assert TaskItem.objects.filter(task=task).count() == len(items)


def test_leads_as_items_with_a_lead_filter(world):
    """TASK-04: a random-draw task over the north branch's potential customers not held by anyone."""
    from steward.leads.models import Lead

    Lead.objects.create(name="线索甲", mobile="13900000001", org=world.north, source=Lead.Source.CHANNEL)
    Lead.objects.create(name="线索乙", mobile="13900000002", org=world.north_team, source=Lead.Source.CHANNEL)
    Lead.objects.create(
        name="线索丙", mobile="13900000003", org=world.north, holder=world.north_rm, source=Lead.Source.MANUAL
    )
    Lead.objects.create(name="南线索", mobile="13900000004", org=world.south, source=Lead.Source.CHANNEL)
    task = make(
        world, Task.Type.RANDOM_DRAW, subject=Task.Subject.LEADS, source=Task.Source.DYNAMIC, condition={"held": False}
    )
    assert sorted(TaskItem.objects.filter(task=task).values_list("lead__name", flat=True)) == ["线索乙", "线索甲"]
    with pytest.raises(DomainError, match="Unknown lead filters"):
        make(world, Task.Type.RANDOM_DRAW, subject=Task.Subject.LEADS, condition={"colour": "red"})


# ---------------------------------------------------------------- finishing


def test_completing_records_the_contact_in_the_interaction_record(world):
    """TASK-02 with SVC-05: the contact made is one interaction, linked to the item; skipping needs a reason;
    only the assignee finishes, once."""
    task = make(world, Task.Type.RE_SERVICE, assignees=[])
    item = TaskItem.objects.get(task=task, customer=world.mine[0])
    with pytest.raises(DomainError, match="not yours"):
        services.complete_item(world.north_rm2, item, now=NOW)
    done = services.complete_item(
        world.north_rm, item, outcome_note="客户满意", contact={"channel": "call", "outcome": "reached"}, now=NOW
    )
    contact = Interaction.objects.get()
    assert (done.interaction, contact.customer, contact.employee) == (contact, world.mine[0], world.north_rm)
    with pytest.raises(DomainError, match="finished already"):
        services.skip_item(world.north_rm, done, outcome_note="x", now=NOW)
    other = TaskItem.objects.get(task=task, customer=world.mine[1])
    with pytest.raises(DomainError) as error:
        services.skip_item(world.north_rm, other, outcome_note="", now=NOW)
    assert error.value.field == "outcome_note"
    with pytest.raises(DomainError) as error:
        services.complete_item(world.north_rm, other, contact={"channel": "call", "outcome": "nope"}, now=NOW)
    assert error.value.field == "outcome"


# ---------------------------------------------------------------- data scope


def test_another_branch_sees_nothing_and_an_agent_sees_their_own_and_their_pool(world):
    """TASK-01..04 with PLT-04: the south manager sees no north task nor item and may not close one;
    a north RM assigned to a draw task sees its untaken items and their own, not a colleague's;
    the south RM (not assigned) sees none."""
    draw = make(world, Task.Type.RANDOM_DRAW)
    reservice = make(world, Task.Type.RE_SERVICE, assignees=[])
    mine = services.draw_next(world.north_rm2, draw, now=NOW)
    assert set(Task.objects.visible_to(world.north_manager, VIEW)) == {draw, reservice}
    assert not Task.objects.visible_to(world.south_manager, VIEW).exists()
    assert not TaskItem.objects.visible_to(world.south_manager, VIEW).exists()
    with pytest.raises(PermissionDenied):
        services.close_task(world.south_manager, draw, now=NOW)
    seen = TaskItem.objects.visible_to(world.north_rm, WORK)
    assert mine not in seen
    assert seen.filter(task=draw).count() == 6  # the untaken pool
    assert seen.filter(task=reservice).count() == 4  # their own customers' items
    assert not TaskItem.objects.visible_to(world.south_rm, WORK).exists()
    assert set(Task.objects.visible_to(world.south_rm, VIEW)) == set()
    assert TaskItem.objects.visible_to(world.north_manager, MANAGE).count() == 14


def test_a_lead_item_is_completed_with_the_holders_follow_up(world):
    """TASK-02 with LEAD-10: a re-service task over leads gives each to its holder; completing it with
    the contact records the follow-up through the leads module (the lead counts it)."""
    from steward.leads.models import Lead
    from steward.leads.permissions import FOLLOW_UP
    from steward.testing import grant

    grant(world.north_rm, FOLLOW_UP, scope="own")
    lead = Lead.objects.create(
        name="线索丁", mobile="13900000005", org=world.north_team, holder=world.north_rm, source=Lead.Source.MANUAL
    )
    task = make(world, Task.Type.RE_SERVICE, assignees=[], subject=Task.Subject.LEADS, condition={"held": True})
    item = TaskItem.objects.get(task=task)
    assert (item.lead, item.assignee) == (lead, world.north_rm)
    done = services.complete_item(
        world.north_rm, item, outcome_note="有意向", contact={"channel": "call", "outcome": "reached"}, now=NOW
    )
    assert done.interaction.lead == lead
    lead.refresh_from_db()
    assert (lead.followups, lead.stage) == (1, Lead.Stage.CONTACTED)
