import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from steward.audit.models import AuditEntry
from steward.core.errors import DomainError
from steward.customers.models import Customer
from steward.tags import services
from steward.tags.models import CustomerGroup, CustomerTag, GroupMember
from steward.tags.tests.conftest import NOW, customer


def tagged(tag):
    return set(CustomerTag.objects.filter(tag=tag).values_list("customer__cif", "source"))


def test_an_rm_tags_and_untags_own_customers_and_it_is_audited(book):
    before = AuditEntry.objects.filter(action="tags.tagged").count()
    assert services.tag_customers(book.bank.north_rm, book.vip, [book.a.pk, book.b.pk], now=NOW) == 2
    assert services.tag_customers(book.bank.north_rm, book.vip, [book.a.pk], now=NOW) == 0  # already tagged
    link = CustomerTag.objects.get(tag=book.vip, customer=book.a)
    assert link.source == "manual" and link.tagged_by == book.bank.north_rm
    assert AuditEntry.objects.filter(action="tags.tagged").count() == before + 1
    assert services.untag_customers(book.bank.north_rm, book.vip, [book.a.pk], now=NOW) == 1
    assert tagged(book.vip) == {("C102", "manual")}
    assert AuditEntry.objects.filter(action="tags.untagged").exists()


def test_nobody_tags_a_customer_outside_their_scope(book):
    with pytest.raises(DomainError, match="outside your data scope"):
        services.tag_customers(book.bank.south_rm, book.vip, [book.a.pk], now=NOW)
    assert not CustomerTag.objects.exists()


def test_a_rule_tag_is_not_put_on_by_hand(book):
    with pytest.raises(DomainError, match="computed by its rule"):
        services.tag_customers(book.bank.north_rm, book.retiring, [book.b.pk], now=NOW)


def test_a_rule_definition_that_does_not_compile_is_refused_naming_the_rule(book):
    bad = {"op": "and", "rules": [{"field": "age", "operator": "between", "value": [60, 55]}]}
    with pytest.raises(DomainError, match=r"Tag old: Rule 1 \(age\)"):
        services.create_tag(
            book.bank.north_manager, category=book.category, code="old", name="老", kind="rule", definition=bad, now=NOW
        )
    with pytest.raises(PermissionDenied):
        services.create_tag(book.bank.north_rm, category=book.category, code="x", name="x", now=NOW)


def test_recompute_tags_the_matching_customers_bank_wide_and_a_rerun_changes_nothing(book):
    merged = customer(book.bank, "C109", status=Customer.Status.MERGED)  # 44 — and merged anyway
    merged.birth_date = book.a.birth_date
    merged.save()
    assert services.recompute_rule_tags(None, now=NOW) == {"near-retirement": (2, 0)}
    assert tagged(book.retiring) == {("C101", "rule"), ("C103", "rule")}
    assert services.recompute_rule_tags(None, now=NOW) == {"near-retirement": (0, 0)}
    book.retiring.refresh_from_db()
    assert book.retiring.computed_at == NOW


def test_recompute_removes_rule_links_that_stopped_matching_and_never_touches_manual_ones(book):
    services.recompute_rule_tags(None, now=NOW)
    # An earlier hand-made link on the rule tag, and a manual tag, both stay.
    CustomerTag.objects.create(customer=book.b, tag=book.retiring, source="manual", tagged_at=NOW)
    services.tag_customers(book.bank.north_rm, book.vip, [book.a.pk], now=NOW)
    Customer.objects.filter(pk=book.a.pk).update(birth_date=book.b.birth_date)  # a is 36 now
    assert services.recompute_rule_tags(None, now=NOW) == {"near-retirement": (0, 1)}
    assert tagged(book.retiring) == {("C102", "manual"), ("C103", "rule")}
    assert tagged(book.vip) == {("C101", "manual")}


def test_recompute_runs_a_fixed_number_of_statements_whatever_the_number_of_customers(book):
    def statements():
        CustomerTag.objects.all().delete()
        with CaptureQueriesContext(connection) as queries:
            services.recompute_tag(book.retiring, now=NOW)
        return len(queries)

    few = statements()
    for n in range(20):
        customer(book.bank, f"C2{n:02d}", born=book.a.birth_date)
    assert statements() == few
    assert CustomerTag.objects.filter(tag=book.retiring).count() == 22


def test_a_deactivated_rule_tag_loses_its_rule_links_and_stops(book):
    services.recompute_rule_tags(None, now=NOW)
    services.set_tag_active(book.bank.north_manager, book.retiring, False, now=NOW)
    assert not CustomerTag.objects.filter(tag=book.retiring).exists()
    assert services.recompute_rule_tags(None, now=NOW) == {}


def test_a_broken_rule_is_skipped_and_logged_while_the_others_run(book):
    from steward.tags.tests.factories import TagFactory

    TagFactory(
        category=book.category,
        code="gone",
        kind="rule",
        definition={"op": "and", "rules": [{"field": "product", "operator": "holds", "value": ["NOPE"]}]},
    )
    results = services.recompute_rule_tags(None, now=NOW)
    assert results == {"near-retirement": (2, 0)}
    assert AuditEntry.objects.filter(action="tags.recompute_failed").exists()


# --- groups -------------------------------------------------------------------------------------


def personal_group(owner, name="我的群组"):
    return services.create_group(owner, name=name)


def test_a_personal_group_is_seen_by_its_owner_only_administrators_included(book):
    group = personal_group(book.bank.north_rm)
    assert group.owner == book.bank.north_rm and group.org is None
    for user in (book.bank.admin, book.bank.north_manager, book.bank.north_rm2):
        assert not CustomerGroup.objects.visible_to(user, "tags.group:view").filter(pk=group.pk).exists()
        with pytest.raises(PermissionDenied):
            services.members(user, group)
        with pytest.raises(PermissionDenied):
            services.delete_group(user, group)
    assert list(CustomerGroup.objects.visible_to(book.bank.north_rm, "tags.group:view")) == [group]


def test_system_groups_follow_the_org_scope(book):
    with pytest.raises(PermissionDenied):
        services.create_group(book.bank.north_rm, name="x", kind="system", org=book.bank.north)
    with pytest.raises(DomainError, match="outside your data scope"):
        services.create_group(book.bank.north_manager, name="x", kind="system", org=book.bank.south)
    group = services.create_group(book.bank.north_manager, name="北方沙龙", kind="system", org=book.bank.north)
    seen = CustomerGroup.objects.visible_to
    assert seen(book.bank.north_rm, "tags.group:view").filter(pk=group.pk).exists()  # staff below the org
    assert seen(book.bank.admin, "tags.group:view").filter(pk=group.pk).exists()
    assert not seen(book.bank.south_rm, "tags.group:view").filter(pk=group.pk).exists()
    with pytest.raises(PermissionDenied):
        services.update_group(book.bank.north_rm, group, name="改名")


def test_members_are_added_in_bulk_only_if_visible_and_shown_per_viewer(book):
    group = services.create_group(book.bank.admin, name="全行沙龙", kind="system", org=book.bank.head)
    assert services.add_members(book.bank.north_rm, group, [book.a.pk, book.b.pk], now=NOW) == 2
    with pytest.raises(DomainError, match="outside your data scope"):
        services.add_members(book.bank.north_rm, group, [book.s.pk], now=NOW)
    assert services.add_members(book.bank.south_rm, group, Customer.objects.all(), now=NOW) == 1  # only C104
    assert set(services.members(book.bank.north_rm, group).values_list("cif", flat=True)) == {"C101", "C102"}
    assert set(services.members(book.bank.south_rm, group).values_list("cif", flat=True)) == {"C104"}
    # The north RM removes "everything" — the south RM's customer stays.
    services.remove_members(book.bank.north_rm, group, Customer.objects.all(), now=NOW)
    assert list(GroupMember.objects.filter(group=group).values_list("customer__cif", flat=True)) == ["C104"]
    assert AuditEntry.objects.filter(action="tags.group_added").count() == 2
    assert AuditEntry.objects.filter(action="tags.group_removed").count() == 1


def test_another_rm_cannot_change_my_personal_group(book):
    group = personal_group(book.bank.north_rm)
    with pytest.raises(PermissionDenied):
        services.add_members(book.bank.north_rm2, group, [book.c.pk], now=NOW)
