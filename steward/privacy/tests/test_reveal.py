"""PLT-13: the reveal button checks the permission the server assigns to the object's type.

The browser used to name the permission the record's visibility was checked under
(``permission=org.org:view`` revealed another branch's customer). Now every model with personal
data is registered with the permission that guards its pages, and whatever the browser sends is
ignored.
"""

import zlib

import pytest
from django.apps import apps

from steward.access.registry import registry
from steward.audit.models import AuditEntry
from steward.customers.identity import check_digit
from steward.customers.tests.factories import CustomerFactory
from steward.holdings.models import Account, Product, ProductCategory
from steward.privacy.services import REVEAL_PERMISSIONS, pii_fields
from steward.testing import EmployeeFactory, grant

PERMISSIONS = sorted(registry.permissions)


class Records:
    """One record of every revealable type, in the south branch; actors at the head office."""

    def __init__(self, bank):
        first17 = "31010419851212567"
        self.customer = CustomerFactory(
            org=bank.south_team, owner=bank.south_rm, id_number=first17 + check_digit(first17), mobile="13698765432"
        )
        self.employee = bank.south_rm
        self.employee.id_number = "11010519700101101" + check_digit("11010519700101101")
        self.employee.save()
        category = ProductCategory.objects.create(code="dep", name="存款")
        product = Product.objects.create(code="CD9", name="定期", category=category)
        self.account = Account.objects.create(number="6222029876543210", customer=self.customer, product=product)
        from steward.channels.tests.factories import OutboundMessageFactory

        self.message = OutboundMessageFactory(customer=self.customer)  # the outbox (INT-05)
        from steward.leads.models import Lead

        self.lead = Lead.objects.create(  # a potential customer (LEAD-01)
            name="潜在客户", mobile="13912345678", org=bank.head, source=Lead.Source.MANUAL
        )
        self.by_label = {
            "customers.customer": (self.customer, "mobile"),
            "org.employee": (self.employee, "id_number"),
            "holdings.account": (self.account, "number"),
            "channels.outboundmessage": (self.message, "mobile"),
            "leads.lead": (self.lead, "mobile"),
        }


@pytest.fixture
def records(bank):
    return Records(bank)


def test_every_model_with_personal_data_is_registered_with_a_registered_permission():
    """PLT-13: the server knows the guarding permission of every revealable type."""
    revealable = {m._meta.label_lower for m in apps.get_models() if pii_fields(m)}
    assert revealable == set(REVEAL_PERMISSIONS)
    assert set(REVEAL_PERMISSIONS.values()) <= set(registry.permissions)


@pytest.mark.parametrize("label", sorted(REVEAL_PERMISSIONS))
def test_no_permission_name_sent_by_the_browser_lets_the_wrong_actor_reveal(bank, records, client, label):
    """PLT-13: an actor who sees the record under every permission except the one guarding its type
    cannot reveal it, whichever permission name the browser posts; the right actor can, whatever
    name is posted."""
    obj, field = records.by_label[label]
    guard = REVEAL_PERMISSIONS[label]
    plain = getattr(obj, field)
    url = f"/privacy/reveal/{label}/{obj.pk}/{field}/"

    # Employee numbers have at most 20 characters (PostgreSQL enforces it): a short tag per label.
    tag = zlib.crc32(label.encode())
    wrong = EmployeeFactory(employee_no=f"W-{tag}", org=bank.head)
    grant(wrong, *(p for p in PERMISSIONS if p != guard), scope="all")  # privacy.pii:unmask included
    client.force_login(wrong)
    for permission in ["", *PERMISSIONS]:
        answer = client.post(url, {"permission": permission})
        assert answer.status_code in (403, 404), (permission, answer.status_code)
        assert plain not in answer.content.decode(), permission
    assert not AuditEntry.objects.filter(action="privacy.unmasked").exists()

    right = EmployeeFactory(employee_no=f"R-{tag}", org=bank.head)
    grant(right, "privacy.pii:unmask", guard, scope="all")
    client.force_login(right)
    for permission in ("", "org.org:view", guard):
        answer = client.post(url, {"permission": permission})
        assert answer.status_code == 200 and plain in answer.content.decode(), permission
    entry = AuditEntry.objects.filter(action="privacy.unmasked").latest("seq")
    assert (entry.actor, entry.object_type, entry.object_id, entry.message) == (right, label, str(obj.pk), field)


def test_a_branch_manager_cannot_reveal_another_branchs_customer_with_an_org_permission(bank, records, client):
    """PLT-13: the reported case — org.org:view over the whole bank does not reveal a customer."""
    grant(bank.north_manager, "privacy.pii:unmask", "customers.customer:view", scope="subtree")
    grant(bank.north_manager, "org.org:view", scope="all")
    client.force_login(bank.north_manager)
    url = f"/privacy/reveal/customers.customer/{records.customer.pk}/mobile/"
    assert client.post(url, {"permission": "org.org:view"}).status_code == 404
    assert client.post(url).status_code == 404


def test_the_reveal_button_sends_no_permission(bank, records, client):
    """PLT-13: the page's reveal button carries no permission for the server to trust."""
    grant(bank.south_rm, "privacy.pii:unmask", "customers.customer:view", "customers.tab:profile", scope="own")
    client.force_login(bank.south_rm)
    page = client.get(f"/customers/{records.customer.pk}/").content.decode()
    assert 'data-testid="unmask"' in page
    assert "hx-vals" not in page and '"permission"' not in page
