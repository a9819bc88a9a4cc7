import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from steward.core.errors import DomainError
from steward.customers.models import ConfidentialGrant
from steward.segments import services
from steward.segments.models import Segment
from steward.segments.tests.conftest import TODAY, customer

NOW = dt.datetime(2026, 6, 15, 9, 0, tzinfo=dt.UTC)
R3_UP = {"op": "and", "rules": [{"field": "risk_level", "operator": "gte", "value": "R3"}]}


def cifs(queryset):
    return sorted(queryset.values_list("cif", flat=True))


def test_a_dynamic_segment_follows_the_data(book):
    manager = book.bank.north_manager
    segment = services.create_segment(manager, name="R3+", definition=R3_UP, now=NOW)
    assert cifs(services.members(manager, segment, TODAY)) == ["C101", "C102", "C103"]
    customer(book.bank, "C105", risk_level="R3")
    assert cifs(services.members(manager, segment, TODAY)) == ["C101", "C102", "C103", "C105"]


def test_a_snapshot_keeps_its_members_until_refreshed(book):
    manager = book.bank.north_manager
    segment = services.create_segment(manager, name="R3+", definition=R3_UP, kind="snapshot", now=NOW)
    customer(book.bank, "C105", risk_level="R3")
    assert cifs(services.members(manager, segment, TODAY)) == ["C101", "C102", "C103"]
    services.refresh_snapshot(manager, segment, now=NOW)
    assert cifs(services.members(manager, segment, TODAY)) == ["C101", "C102", "C103", "C105"]
    assert segment.members.first().taken_at == NOW


def test_a_snapshot_never_shows_a_customer_the_viewer_cannot_see_now(book):
    manager = book.bank.north_manager
    segment = services.create_segment(manager, name="R3+", definition=R3_UP, kind="snapshot", now=NOW)
    book.a.is_confidential = True
    book.a.save()
    assert cifs(services.members(manager, segment, TODAY)) == ["C102", "C103"]
    ConfidentialGrant.objects.create(customer=book.a, user=manager)
    assert cifs(services.members(manager, segment, TODAY)) == ["C101", "C102", "C103"]


def test_a_segment_is_out_of_reach_outside_its_scope(book):
    segment = services.create_segment(book.bank.north_rm, name="mine", definition=R3_UP, now=NOW)
    assert not Segment.objects.visible_to(book.bank.south_rm, "segments.segment:view").exists()
    with pytest.raises(PermissionDenied):
        services.members(book.bank.south_rm, segment, TODAY)
    with pytest.raises(PermissionDenied):
        services.delete_segment(book.bank.south_rm, segment, now=NOW)


def test_bad_input_is_refused_with_the_rule_named(book):
    bad = {"op": "and", "rules": [{"field": "aum", "operator": "gte", "value": "x"}]}
    with pytest.raises(DomainError, match="Rule 1 .aum."):
        services.create_segment(book.bank.north_rm, name="bad", definition=bad, now=NOW)
    with pytest.raises(DomainError):
        services.create_segment(book.bank.north_rm, name=" ", definition=R3_UP, now=NOW)
    assert not Segment.objects.exists()


def test_update_and_delete(book):
    rm = book.bank.north_rm
    segment = services.create_segment(rm, name="R3+", definition=R3_UP, now=NOW)
    r5 = {"op": "and", "rules": [{"field": "risk_level", "operator": "eq", "value": "R5"}]}
    services.update_segment(rm, segment, name="R5", definition=r5, now=NOW)
    assert cifs(services.members(rm, segment, TODAY)) == ["C103"]
    services.delete_segment(rm, segment, now=NOW)
    assert not Segment.objects.exists()


def test_without_the_permission_nothing_is_saved(bank):
    with pytest.raises(PermissionDenied):
        services.create_segment(bank.south_rm, name="x", definition=R3_UP, now=NOW)


def test_high_value_is_the_top_fifth_by_aum_within_an_org(book):
    manager = book.bank.north_manager
    for n in range(7):
        customer(book.bank, f"C2{n:02d}", aum=str(1000 * n))
    # 10 visible customers in the north: the top 2 by AUM.
    assert cifs(services.screen(manager, "high_value", TODAY, org=book.bank.north)) == ["C101", "C103"]
    assert cifs(services.screen(book.bank.south_rm, "high_value", TODAY)) == ["C104"]


def test_at_risk_is_aum_down_thirty_percent_in_thirty_days(book):
    manager = book.bank.north_manager
    book.a.figures.aum_30_days_ago = Decimal("1500000")  # 1.0M vs 1.5M: down 33%
    book.a.figures.save()
    book.b.figures.aum_30_days_ago = Decimal("800000")  # 600k vs 800k: down 25%
    book.b.figures.save()
    assert cifs(services.screen(manager, "at_risk", TODAY)) == ["C101"]


def test_high_potential_follows_the_system_parameter(book):
    from steward.basedata.services import set_parameter
    from steward.segments.defaults import HIGH_POTENTIAL_KEY

    admin = book.bank.admin
    admin.is_superuser = True
    admin.save()
    set_parameter(
        admin, HIGH_POTENTIAL_KEY, '{"op": "and", "rules": [{"field": "gender", "operator": "eq", "value": "F"}]}'
    )
    assert cifs(services.screen(book.bank.north_manager, "high_potential", TODAY)) == ["C102", "C103"]


def test_demo_segments_are_created_once(book):
    from steward.segments.demo import seed_demo_segments

    book.bank.north_rm.employee_no = "rm"
    book.bank.north_rm.save()
    assert seed_demo_segments(now=NOW) == 1  # "marketing" does not exist in this bank
    assert seed_demo_segments(now=NOW) == 0
    assert Segment.objects.get().owner == book.bank.north_rm
