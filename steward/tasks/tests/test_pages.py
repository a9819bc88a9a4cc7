"""The pages of assigned tasks (TASK-01 … TASK-04): a manager creates a task from customer numbers
and closes it; an agent draws the next item, picks one from a pick task's pool and finishes an
item with the contact recorded; buttons show only to those who may use them; categories."""

import pytest
from django.urls import reverse

from steward.interactions.models import Interaction
from steward.tasks import services
from steward.tasks.models import Task, TaskCategory, TaskItem
from steward.tasks.permissions import VIEW
from steward.tasks.tests.conftest import NOW
from steward.testing import EmployeeFactory, grant


def create(world, type, **more):
    values = {
        "title": "回访任务",
        "category": world.category,
        "org": world.north,
        "type": type,
        "customer_ids": [c.pk for c in world.north_customers],
        "assignee_ids": [world.north_rm.pk, world.north_rm2.pk],
        "now": NOW,
    }
    return services.create_task(world.north_manager, **{**values, **more})


def test_a_manager_creates_a_task_from_customer_numbers_and_closes_it(world, client):
    """TASK-01, TASK-03: the form makes a system-assigned task dealt evenly; its page shows progress per
    assignee and the Close button, which closes it."""
    client.force_login(world.north_manager)
    listing = client.get(reverse("tasks:task_list"))
    assert listing.status_code == 200 and b'data-testid="add-button"' in listing.content
    assert client.get(reverse("tasks:task_add")).status_code == 200
    response = client.post(
        reverse("tasks:task_add"),
        {
            "title": "年末关怀",
            "category": world.category.pk,
            "org": world.north.pk,
            "type": "system_assigned",
            "method": "even",
            "assignees": [world.north_rm.pk, world.north_rm2.pk],
            "subject": "customers",
            "source": "fixed",
            "customers": " ".join(c.cif for c in world.north_customers),
        },
    )
    task = Task.objects.get()
    assert response.status_code == 302 and response["Location"] == task.get_absolute_url()
    page = client.get(task.get_absolute_url())
    assert b'data-testid="close-task"' in page.content
    assert b'data-testid="total-open">7<' in page.content
    client.post(reverse("tasks:task_close", args=[task.pk]))
    task.refresh_from_db()
    assert task.status == Task.Status.CLOSED
    assert b'data-testid="close-task"' not in client.get(task.get_absolute_url()).content


def test_the_form_refuses_a_customer_number_outside_scope_on_its_field(world, client):
    """TASK-04: a south customer's number is refused on the numbers field; nothing is stored."""
    client.force_login(world.north_manager)
    response = client.post(
        reverse("tasks:task_add"),
        {
            "title": "x",
            "category": world.category.pk,
            "org": world.north.pk,
            "type": "random_draw",
            "assignees": [world.north_rm.pk],
            "subject": "customers",
            "source": "fixed",
            "customers": "N000 S001",
        },
    )
    assert response.status_code == 200 and "S001" in response.context["form"].errors["customers"][0]
    assert not Task.objects.exists()


def test_an_agent_draws_finishes_and_picks(world, client):
    """TASK-02: My tasks offers Draw next on a draw task and Pick on a pick task; the drawn item is
    finished with the contact recorded; a picked item becomes the agent's."""
    # The drawn customer is one of the agent's own: they may record a contact with them.
    draw = create(world, Task.Type.RANDOM_DRAW, customer_ids=[c.pk for c in world.mine])
    pick = create(world, Task.Type.ACTIVE_PICK)
    client.force_login(world.north_rm)
    mine = client.get(reverse("tasks:my_items"))
    assert b'data-testid="draw-next"' in mine.content and b'data-testid="pick-from"' in mine.content
    response = client.post(reverse("tasks:task_draw", args=[draw.pk]))
    item = TaskItem.objects.get(task=draw, assignee=world.north_rm)
    assert response["Location"] == item.get_absolute_url()
    page = client.get(item.get_absolute_url())
    assert b'data-testid="complete-item"' in page.content
    client.post(
        item.get_absolute_url(),
        {"outcome_note": "已联系", "record_contact": "on", "channel": "call", "outcome": "reached", "complete": "1"},
    )
    item.refresh_from_db()
    assert item.status == TaskItem.Status.DONE and item.interaction == Interaction.objects.get()
    pool = client.get(reverse("tasks:task_pool", args=[pick.pk]))
    assert pool.status_code == 200 and pool.content.count(b'data-testid="pick"') == 7
    chosen = TaskItem.objects.filter(task=pick).order_by("-pk").first()
    client.post(reverse("tasks:item_pick", args=[chosen.pk]))
    assert TaskItem.objects.get(pk=chosen.pk).assignee == world.north_rm
    # A colleague's item is not the agent's to open.
    assert client.get(reverse("tasks:item_pick", args=[chosen.pk])).status_code == 405
    client.force_login(world.north_rm2)
    assert client.get(chosen.get_absolute_url()).status_code == 404


def test_buttons_show_only_to_those_who_may_use_them(world, client):
    """PLT-03: an auditor (view only) sees tasks without Add, Close or category editing; an RM
    without the view permission gets 403 on the task list; a stranger's My tasks page is empty."""
    task = create(world, Task.Type.ACTIVE_PICK)
    auditor = EmployeeFactory(employee_no="AUD", org=world.head)
    grant(auditor, VIEW, scope="all", org=world.head)
    client.force_login(auditor)
    listing = client.get(reverse("tasks:task_list"))
    assert listing.status_code == 200 and b'data-testid="add-button"' not in listing.content
    page = client.get(task.get_absolute_url())
    assert page.status_code == 200 and b"close-task" not in page.content
    categories = client.get(reverse("tasks:category_list"))
    assert categories.status_code == 200 and b'data-testid="add-button"' not in categories.content
    assert client.get(reverse("tasks:category_add")).status_code == 403
    client.force_login(world.north_rm)
    assert client.get(reverse("tasks:task_list")).status_code == 403
    client.force_login(world.south_rm)
    mine = client.get(reverse("tasks:my_items"))
    assert b"pick-from" not in mine.content and b"draw-next" not in mine.content
    assert client.get(reverse("tasks:task_pool", args=[task.pk])).status_code == 404
    assert client.post(reverse("tasks:task_draw", args=[task.pk])).status_code == 404


@pytest.mark.parametrize("name", ["客户关怀", "产品到期提醒"])
def test_categories_are_added_and_renamed(world, client, name):
    """TASK-01: task categories, kept by their administrators."""
    client.force_login(world.north_manager)
    client.post(reverse("tasks:category_add"), {"name": name, "active": "on"})
    category = TaskCategory.objects.get(name=name)
    client.post(reverse("tasks:category_edit", args=[category.pk]), {"name": name + "2"})
    category.refresh_from_db()
    assert (category.name, category.active) == (name + "2", False)


def test_a_contact_the_agent_may_not_record_is_refused_with_the_reason(world, client):
    """TASK-02 with SVC-05: an RM who draws a colleague's customer may not record a contact with
    them (their interaction scope is their own customers): the page says so and the item stays
    open; unticking the contact finishes it with the outcome note alone."""
    draw = create(world, Task.Type.RANDOM_DRAW, customer_ids=[world.theirs[0].pk])
    client.force_login(world.north_rm)
    client.post(reverse("tasks:task_draw", args=[draw.pk]))
    item = TaskItem.objects.get(task=draw)
    form = {"outcome_note": "已联系", "channel": "call", "outcome": "reached", "complete": "1"}
    response = client.post(item.get_absolute_url(), {**form, "record_contact": "on"})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert TaskItem.objects.get(pk=item.pk).status == TaskItem.Status.OPEN
    client.post(item.get_absolute_url(), form)
    item.refresh_from_db()
    assert (item.status, item.interaction) == (TaskItem.Status.DONE, None)
