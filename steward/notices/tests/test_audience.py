"""PLT-10: a notice reaches exactly its audience, only while published and inside its validity period."""

import datetime as dt

import pytest

from steward.access.models import RoleAssignment
from steward.notices import services
from steward.notices.models import Notice
from steward.notices.tests.conftest import api_for
from steward.testing import EmployeeFactory, make_role


def readers_of(notice, people, now):
    return {person.employee_no for person in people if services.current_notices_for(person, now).filter(pk=notice.pk)}


def everyone(bank):
    return [bank.north_rm, bank.north_rm2, bank.south_rm, bank.north_manager, bank.admin]


def test_a_notice_for_everyone_reaches_all_staff(bank, publish, now):
    notice = publish(audience=Notice.Audience.ALL)

    assert readers_of(notice, everyone(bank), now) == {"NRM", "NRM2", "SRM", "NBM", "ADM"}


def test_a_notice_for_an_org_reaches_its_staff_and_everyone_below_it_only(bank, publish, now):
    notice = publish(audience=Notice.Audience.ORGS, orgs=[bank.north])

    # The north branch itself (NBM) and its team two levels down (NRM, NRM2); not the south, not head office.
    assert readers_of(notice, everyone(bank), now) == {"NRM", "NRM2", "NBM"}


def test_a_notice_for_a_role_reaches_its_current_holders_only(bank, publish, now):
    tellers = make_role(code="teller")
    RoleAssignment.objects.create(user=bank.south_rm, role=tellers, org=bank.south_team, scope="own")
    ended = RoleAssignment.objects.create(user=bank.north_rm, role=tellers, org=bank.north_team, scope="own")
    ended.ended_at = now - dt.timedelta(days=1)
    ended.save()

    notice = publish(audience=Notice.Audience.ROLES, roles=[tellers])

    assert readers_of(notice, everyone(bank), now) == {"SRM"}


def test_a_notice_shows_only_inside_its_validity_period(bank, publish, now):
    notice = publish(valid_from=now + dt.timedelta(hours=1), valid_until=now + dt.timedelta(hours=3))

    assert not readers_of(notice, [bank.north_rm], now)
    assert readers_of(notice, [bank.north_rm], now + dt.timedelta(hours=2))
    assert not readers_of(notice, [bank.north_rm], now + dt.timedelta(hours=3))


def test_a_draft_and_a_withdrawn_notice_reach_nobody(bank, notice_admin, publish, now):
    draft = services.save_notice(notice_admin, None, title="Draft", body="Not yet.", now=now)
    withdrawn = services.unpublish_notice(notice_admin, publish(title="Withdrawn"), now)

    assert not readers_of(draft, everyone(bank), now)
    assert not readers_of(withdrawn, everyone(bank), now)


def test_a_left_employee_sees_no_notice(bank, publish, now):
    notice = publish()
    bank.north_rm.is_active = False
    bank.north_rm.save()

    assert not readers_of(notice, [bank.north_rm], now)


@pytest.mark.parametrize("kind", ["org", "role"])
def test_staff_outside_the_audience_never_see_the_notice_banner_list_detail_or_api(bank, publish, client, kind):
    if kind == "org":
        notice = publish(title="Only for the north", audience=Notice.Audience.ORGS, orgs=[bank.north])
    else:
        role = make_role(code="north_only")
        RoleAssignment.objects.create(user=bank.north_rm, role=role, org=bank.north_team, scope="own")
        notice = publish(title="Only for the north", audience=Notice.Audience.ROLES, roles=[role])
    outsider = EmployeeFactory(employee_no="SOUTH-X", org=bank.south_team)
    client.force_login(outsider)
    api = api_for(outsider)

    home = client.get("/").content.decode()
    inbox = client.get("/notices/").content.decode()
    detail = client.get(f"/notices/{notice.pk}/")
    api_list = api.get("/api/v1/my-notices/").json()
    api_detail = api.get(f"/api/v1/my-notices/{notice.pk}/")
    api_read = api.post(f"/api/v1/my-notices/{notice.pk}/read/")

    assert "Only for the north" not in home
    assert 'data-testid="notice-banner"' not in home
    assert "Only for the north" not in inbox
    assert detail.status_code == 404
    assert api_list["count"] == 0
    assert api_detail.status_code == 404
    assert api_read.status_code == 404
    assert not notice.reads.exists()
    # …while the north RM does see it.
    client.force_login(bank.north_rm)
    assert "Only for the north" in client.get("/").content.decode()
    assert client.get(f"/notices/{notice.pk}/").status_code == 200


def test_marking_a_notice_read_that_is_not_addressed_to_you_is_refused(bank, publish, now):
    from django.core.exceptions import PermissionDenied

    notice = publish(audience=Notice.Audience.ORGS, orgs=[bank.north])

    with pytest.raises(PermissionDenied):
        services.mark_read(bank.south_rm, notice, now)
