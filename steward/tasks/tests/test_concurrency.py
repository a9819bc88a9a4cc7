"""TASK-02, TASK-03 under concurrency (PostgreSQL): agents drawing from the same random-draw task at
once never get the same item, and none holds more open items than the task allows."""

import threading

import pytest
from django.db import connection, connections

from steward.core.errors import DomainError
from steward.customers.tests.factories import CustomerFactory
from steward.tasks import services
from steward.tasks.models import Task, TaskCategory, TaskItem
from steward.tasks.permissions import MANAGE, WORK
from steward.tasks.tests.conftest import NOW
from steward.testing import EmployeeFactory, grant


@pytest.mark.django_db(transaction=True)
def test_agents_drawing_at_once_never_get_the_same_item(bank):
    """TASK-02: 12 agents draw concurrently from 60 items, each at most 4 open: every drawn item has
    one assignee, no item is drawn twice, no agent exceeds 4, and 48 items are taken."""
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions need PostgreSQL (SQLite runs one writer at a time)")
    grant(bank.north_manager, MANAGE, "customers.customer:view", scope="subtree")
    customers = [CustomerFactory(org=bank.north_team, owner=bank.north_rm, cif=f"K{i:03d}") for i in range(60)]
    agents = [EmployeeFactory(employee_no=f"D{i:02d}", org=bank.north_team) for i in range(12)]
    for agent in agents:
        grant(agent, WORK, scope="own")
    task = services.create_task(
        bank.north_manager,
        title="并发抽取",
        category=TaskCategory.objects.create(name="并发"),
        org=bank.north,
        type=Task.Type.RANDOM_DRAW,
        customer_ids=[c.pk for c in customers],
        assignee_ids=[a.pk for a in agents],
        max_open_per_agent=4,
        now=NOW,
    )
    start = threading.Barrier(len(agents))
    drawn, errors = [], []

    def work(agent):
        try:
            start.wait()
            for _n in range(6):
                try:
                    drawn.append((agent.pk, services.draw_next(agent, task).pk))
                except DomainError as error:
                    if "the most it allows" in str(error):
                        break
                    raise
        except Exception as error:  # noqa: BLE001 (reported below, not swallowed)
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(agent,)) for agent in agents]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    items = [item for _agent, item in drawn]
    assert len(items) == len(set(items)) == 48
    holders = dict(TaskItem.objects.filter(pk__in=items).values_list("pk", "assignee_id"))
    assert all(holders[item] == agent for agent, item in drawn)
    per_agent = {}
    for agent, _item in drawn:
        per_agent[agent] = per_agent.get(agent, 0) + 1
    assert max(per_agent.values()) == 4
    assert TaskItem.objects.filter(task=task, assignee__isnull=True).count() == 12
