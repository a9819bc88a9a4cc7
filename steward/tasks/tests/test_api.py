"""PLT-03 / PLT-11 for /api/v1/tasks/, /api/v1/task-items/ and /api/v1/task-categories/
(TASK-01 … TASK-04): each endpoint refuses a caller lacking its permission (holding every other
one) and serves a caller holding only what it needs; anonymous callers get 401; odd filters answer
200/400, never 500; another branch's manager sees nothing. Referenced from
steward/access/tests/test_api_permission_matrix.py (own matrix)."""

import pytest
from rest_framework.test import APIClient

from steward.access.registry import registry
from steward.tasks import services
from steward.tasks.models import Task, TaskCategory, TaskItem
from steward.tasks.permissions import CATEGORY_CHANGE, MANAGE, VIEW, WORK
from steward.tasks.tests.conftest import NOW
from steward.testing import grant

ENDPOINTS = [
    ("get", "/api/v1/task-categories/", VIEW),
    ("get", "/api/v1/task-categories/{category}/", VIEW),
    ("post", "/api/v1/task-categories/", CATEGORY_CHANGE),
    ("patch", "/api/v1/task-categories/{category}/", CATEGORY_CHANGE),
    ("get", "/api/v1/tasks/", VIEW),
    ("get", "/api/v1/tasks/{draw}/", VIEW),
    ("post", "/api/v1/tasks/", MANAGE),
    ("post", "/api/v1/tasks/{draw}/evaluate/", MANAGE),
    ("post", "/api/v1/tasks/{draw}/close/", MANAGE),
    ("get", "/api/v1/task-items/", WORK),
    ("get", "/api/v1/task-items/{own}/", WORK),
    ("post", "/api/v1/task-items/draw/", WORK),
    ("post", "/api/v1/task-items/{pickable}/pick/", WORK),
    ("post", "/api/v1/task-items/{own}/complete/", WORK),
    ("post", "/api/v1/task-items/{own}/skip/", WORK),
]
IDS = [f"{m.upper()} {u} needs {p}" for m, u, p in ENDPOINTS]


@pytest.fixture
def objects(world):
    """A draw task and a pick task of the head office, both assigned to the admin (the caller), who
    holds one re-service item as the owner of a customer."""
    admin = world.admin
    setup = grant(admin, MANAGE, "customers.customer:view", scope="all", org=world.head)
    customers = [c.pk for c in world.north_customers]
    make = {"category": world.category, "org": world.head, "customer_ids": customers, "now": NOW}
    draw = services.create_task(admin, title="抽取", type=Task.Type.RANDOM_DRAW, assignee_ids=[admin.pk], **make)
    pick = services.create_task(admin, title="主动", type=Task.Type.ACTIVE_PICK, assignee_ids=[admin.pk], **make)
    world.mine[0].owner = admin
    world.mine[0].save()
    reservice = services.create_task(admin, title="回访", type=Task.Type.RE_SERVICE, **make)
    setup.delete()
    from steward.access.services import forget_grants

    forget_grants(admin)
    return {
        "category": world.category.pk,
        "draw": draw.pk,
        "pickable": TaskItem.objects.filter(task=pick).first().pk,
        "own": TaskItem.objects.get(task=reservice, assignee=admin).pk,
        "customers": customers,
    }


def request(world, objects, user, method, url):
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    url = url.format(**objects)
    if method == "get":
        return api.get(url)
    if method == "patch":
        return api.patch(url, {"name": "改名的分类"}, format="json")
    if url.endswith("/task-categories/"):
        body = {"name": "新分类"}
    elif url.endswith("/api/v1/tasks/"):
        body = {
            "title": "新任务",
            "category": objects["category"],
            "org": world.head.pk,
            "type": "active_pick",
            "condition": {"op": "and", "rules": []},
            "assignees": [world.admin.pk],
        }
    elif url.endswith("/draw/"):
        body = {"task": objects["draw"]}
    elif url.endswith("/skip/"):
        body = {"outcome_note": "不便联系"}
    elif url.endswith("/complete/"):
        body = {"outcome_note": "已完成"}
    else:
        body = None
    return api.post(url, body, format="json")


def state():
    return (
        TaskCategory.objects.count(),
        sorted(TaskCategory.objects.values_list("name", flat=True)),
        Task.objects.count(),
        Task.objects.filter(status="open").count(),
        sorted(TaskItem.objects.values_list("pk", "assignee_id", "status")),
    )


@pytest.mark.parametrize(("method", "url", "permission"), ENDPOINTS, ids=IDS)
def test_refused_without_its_permission(world, objects, method, url, permission):
    admin = world.admin
    grant(admin, *(set(registry.permissions) - {permission}), scope="all", org=world.head)
    before = state()
    assert request(world, objects, admin, method, url).status_code in (403, 404)
    assert state() == before


@pytest.mark.parametrize(("method", "url", "permission"), ENDPOINTS, ids=IDS)
def test_served_with_only_its_permission(world, objects, method, url, permission):
    admin = world.admin
    extra = ("customers.customer:view",) if url == "/api/v1/tasks/" else ()
    grant(admin, permission, *extra, scope="all", org=world.head)
    before = state()
    response = request(world, objects, admin, method, url)
    assert 200 <= response.status_code < 300, response.content
    if method != "get" and not url.endswith("/evaluate/"):
        assert state() != before


@pytest.mark.parametrize(("method", "url", "permission"), ENDPOINTS, ids=IDS)
def test_refused_to_anonymous_callers(world, objects, method, url, permission):
    assert request(world, objects, None, method, url).status_code == 401


def test_odd_input_answers_400_never_500_and_another_branch_sees_nothing(world, objects):
    """PLT-11: odd filters and bodies; PLT-04: the south manager's lists are empty, a north task a 404."""
    api = APIClient()
    grant(world.admin, VIEW, MANAGE, WORK, scope="all", org=world.head)
    api.force_authenticate(world.admin)
    for query in ("status=nope", "org=x", "type=%00", "page=999", "category=-1"):
        assert api.get(f"/api/v1/tasks/?{query}").status_code in (200, 400, 404), query
    for body in ({}, {"task": "x"}, {"task": 2**70}, {"task": 999999}):
        assert api.post("/api/v1/task-items/draw/", body, format="json").status_code == 400, body
    bad = {"title": "x", "category": objects["category"], "org": world.head.pk, "type": "random_draw"}
    response = api.post("/api/v1/tasks/", {**bad, "customers": [2**62]}, format="json")
    assert response.status_code == 400
    assert api.post("/api/v1/task-items/", {}, format="json").status_code == 405
    assert api.delete(f"/api/v1/tasks/{objects['draw']}/").status_code == 405
    south = APIClient()
    south.force_authenticate(world.south_manager)
    assert south.get("/api/v1/tasks/").json()["results"] == []
    assert south.get(f"/api/v1/tasks/{objects['draw']}/").status_code == 404
    assert south.post(f"/api/v1/tasks/{objects['draw']}/close/").status_code == 404
