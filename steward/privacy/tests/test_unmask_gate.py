"""PLT-13: every unmask is one audited path.

Every GET route of the API (list, detail and extra actions, walked from the router) is called
with ``?unmask=1``: for a holder of privacy.pii:unmask, any plain personal data in the answer is
covered by a ``privacy.unmasked`` entry naming the returned record ids; for anyone else the
answer is a 403 or masked. More than the bulk threshold needs privacy.pii:bulk_unmask.
"""

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from steward.access.registry import registry
from steward.api.urls import router
from steward.audit.models import AuditEntry
from steward.basedata.models import SystemParameter
from steward.basedata.services import PARAMETERS_KEY
from steward.customers.identity import check_digit
from steward.customers.models import Customer
from steward.customers.tests.factories import CustomerFactory
from steward.org.models import Employee
from steward.privacy.services import BULK_THRESHOLD_KEY, BULK_UNMASK, pii_fields
from steward.segments.models import Segment
from steward.tags.models import GroupMember
from steward.tags.tests.factories import CustomerTagFactory, GroupFactory, TagFactory
from steward.testing import EmployeeFactory, grant

ALL_BUT_PRIVACY = [name for name in registry.permissions if not name.startswith("privacy.")]
# Routes that return personal data of customers or employees: the walk must find them all.
EXPECTED_PII_ROUTES = {
    "/api/v1/customers/",
    "/api/v1/customers/{pk}/",
    "/api/v1/employees/",
    "/api/v1/employees/{pk}/",
    "/api/v1/tags/{pk}/customers/",
    "/api/v1/segments/{pk}/members/",
    "/api/v1/customer-groups/{pk}/members/",
}


def valid_id(n: int) -> str:
    first17 = f"11010519{80 + n % 20:02d}0101{n:03d}"
    return first17 + check_digit(first17)


class World:
    def __init__(self, bank):
        self.bank = bank
        self.holder = EmployeeFactory(employee_no="HOLDER", org=bank.head)
        grant(self.holder, *ALL_BUT_PRIVACY, "privacy.pii:unmask", scope="all")
        self.plain_user = EmployeeFactory(employee_no="PLAIN", org=bank.head)
        grant(self.plain_user, *ALL_BUT_PRIVACY, scope="all")
        self.customers = [
            CustomerFactory(
                org=bank.north_team,
                owner=bank.north_rm,
                id_number=valid_id(n),
                mobile=f"1371234{n:04d}",
                address=f"北京市朝阳区建国路{n + 1}号院",
            )
            for n in range(5)
        ]
        for n, employee in enumerate(Employee.objects.order_by("pk")):
            employee.id_number = valid_id(500 + n)
            employee.mobile = f"1590000{n:04d}"
            employee.email = f"staff{n}@bank.example.com"
            employee.save()
        self.tag = TagFactory()
        for customer in self.customers:
            CustomerTagFactory(tag=self.tag, customer=customer)
        self.group = GroupFactory(owner=self.holder)
        for customer in self.customers:
            GroupMember.objects.create(group=self.group, customer=customer, added_at=timezone.now())
        self.segment = Segment.objects.create(
            name="everyone",
            definition={"op": "and", "rules": [{"field": "age", "operator": "between", "value": [0, 150]}]},
            owner=self.holder,
            org=bank.head,
        )
        # plain value → (model, pk)
        self.plain = {}
        for c in self.customers:
            for value in (c.id_number, c.mobile, c.address):
                self.plain[value] = (Customer, c.pk)
        for e in Employee.objects.all():
            for value in (e.id_number, e.mobile, e.email):
                self.plain[value] = (Employee, e.pk)


@pytest.fixture
def world(bank):
    return World(bank)


def get_routes(api):
    """(template, url) of every GET route of the router, with a visible record's pk filled in."""
    routes = []
    for prefix, viewset, _basename in router.registry:
        base = f"/api/v1/{prefix}/"
        listed = api.get(base)
        routes.append((base, base))
        pk = None
        if listed.status_code == 200:
            body = listed.json()
            rows = body.get("results", body) if isinstance(body, dict) else body
            if rows and isinstance(rows, list) and isinstance(rows[0], dict):
                pk = rows[0].get("id")
        if pk is not None:
            routes.append((f"{base}{{pk}}/", f"{base}{pk}/"))
        for action in viewset.get_extra_actions():
            if "get" not in action.mapping:
                continue
            if action.detail:
                if pk is not None:
                    routes.append((f"{base}{{pk}}/{action.url_path}/", f"{base}{pk}/{action.url_path}/"))
            else:
                routes.append((f"{base}{action.url_path}/", f"{base}{action.url_path}/"))
    return routes


def plain_in(world, text: str):
    return {value: owner for value, owner in world.plain.items() if value in text}


def test_every_api_route_unmasks_only_through_the_audited_gate(world):
    """PLT-13: each GET route × ?unmask=1 — a holder's plain values are all audited with their
    record ids (the member lists of tags, segments and groups included); a non-holder gets a 403
    or masked values; without ?unmask=1 nobody gets plain values."""
    holder = APIClient()
    holder.force_authenticate(world.holder)
    plain_user = APIClient()
    plain_user.force_authenticate(world.plain_user)
    # The customers the segment matches are those aged 0–150 on the day: all of them.
    assert Customer.objects.filter(birth_date__lte=dt.date.today()).count() == len(world.customers)

    routes = get_routes(holder)
    assert len(routes) > 20
    with_pii = set()
    for template, url in routes:
        masked = holder.get(url)
        assert not plain_in(world, masked.content.decode()), template

        before = AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
        answer = holder.get(url, {"unmask": "1"})
        assert answer.status_code in (200, 403, 404, 405), (template, answer.status_code)
        leaked = plain_in(world, answer.content.decode())
        entries = AuditEntry.objects.filter(seq__gt=before, action="privacy.unmasked", actor=world.holder)
        audited = {(e.object_type, pk) for e in entries for pk in (e.ids or [])}
        for value, (model, pk) in leaked.items():
            assert (model._meta.label_lower, pk) in audited, (template, value)
        if leaked:
            with_pii.add(template)

        refused = plain_user.get(url, {"unmask": "1"})
        assert refused.status_code == 403 or not plain_in(world, refused.content.decode()), template
        assert not AuditEntry.objects.filter(seq__gt=before, actor=world.plain_user, action="privacy.unmasked")
    assert with_pii >= EXPECTED_PII_ROUTES, EXPECTED_PII_ROUTES - with_pii


def test_the_member_endpoints_audit_the_member_ids(world):
    """PLT-13: ?unmask=1 on the tag, segment and group member endpoints writes one entry with the
    ids of the customers returned."""
    api = APIClient()
    api.force_authenticate(world.holder)
    ids = sorted(c.pk for c in world.customers)
    for url in (
        f"/api/v1/tags/{world.tag.pk}/customers/",
        f"/api/v1/segments/{world.segment.pk}/members/",
        f"/api/v1/customer-groups/{world.group.pk}/members/",
    ):
        answer = api.get(url, {"unmask": "1"})
        assert answer.status_code == 200, url
        assert {r["mobile"] for r in answer.json()["results"]} == {c.mobile for c in world.customers}
        entry = AuditEntry.objects.filter(action="privacy.unmasked").latest("seq")
        assert (entry.actor, entry.object_type, sorted(entry.ids)) == (world.holder, "customers.customer", ids)
        assert url in entry.message and "id_number" in entry.message


def test_unmasking_more_than_the_bulk_threshold_needs_its_own_permission(world):
    """PLT-13: more records than the bulk threshold (a system parameter) in one request need
    privacy.pii:bulk_unmask; fewer do not."""
    SystemParameter.objects.filter(key=BULK_THRESHOLD_KEY).update(value="3")
    cache.delete(PARAMETERS_KEY)
    api = APIClient()
    api.force_authenticate(world.holder)
    before = AuditEntry.objects.filter(action="privacy.unmasked").count()

    for url in ("/api/v1/customers/", f"/api/v1/customer-groups/{world.group.pk}/members/"):
        refused = api.get(url, {"unmask": "1"})
        assert refused.status_code == 403, url
        assert BULK_UNMASK in refused.json()["detail"]
        assert not any(c.mobile in refused.content.decode() for c in world.customers)
    assert AuditEntry.objects.filter(action="privacy.unmasked").count() == before
    few = api.get("/api/v1/customers/", {"unmask": "1", "page_size": 3})
    assert few.status_code == 200 and len(few.json()["results"]) == 3

    grant(world.holder, BULK_UNMASK, scope="all")
    many = api.get("/api/v1/customers/", {"unmask": "1", "page_size": 100})
    assert many.status_code == 200
    entry = AuditEntry.objects.filter(action="privacy.unmasked").latest("seq")
    assert sorted(entry.ids) == sorted(r["id"] for r in many.json()["results"])
    assert {r["mobile"] for r in many.json()["results"]} >= {c.mobile for c in world.customers}


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_serializer_with_personal_data_fields_masks_through_the_gate():
    """PLT-13: a model serializer that returns a personal-data field uses PiiMaskingSerializerMixin
    (and so privacy.services.unmask); none can return plain values around it."""
    from django.utils.module_loading import autodiscover_modules
    from rest_framework import serializers

    from steward.privacy.serializers import PiiMaskingSerializerMixin

    autodiscover_modules("api.serializers")
    checked = []
    for serializer in _subclasses(serializers.ModelSerializer):
        meta = getattr(serializer, "Meta", None)
        model = getattr(meta, "model", None)
        if model is None or not serializer.__module__.startswith("steward."):
            continue
        fields = getattr(meta, "fields", None)
        names = set(pii_fields(model)) if fields == "__all__" else set(fields or ()) & set(pii_fields(model))
        if names:
            checked.append(serializer)
            assert issubclass(serializer, PiiMaskingSerializerMixin), serializer
    assert {s.__name__ for s in checked} >= {"CustomerSerializer", "EmployeeSerializer"}
