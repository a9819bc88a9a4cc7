"""PLT-10 (003 §2.21): administrators write, publish, withdraw and delete notices within their data scope."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from steward.audit.models import AuditEntry
from steward.core.errors import DomainError
from steward.notices import services
from steward.notices.models import Notice
from steward.notices.tests.conftest import ADMIN_PERMISSIONS, api_for, list_table
from steward.testing import grant


@pytest.fixture
def north_admin(bank):
    """The north branch's notice administrator: scope = the north branch and below."""
    grant(bank.north_manager, *ADMIN_PERMISSIONS, scope="subtree", org=bank.north)
    return bank.north_manager


def local_input(moment):
    from django.utils import timezone

    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_an_administrator_writes_a_draft_then_publishes_it_from_the_pages(bank, notice_admin, client, now):
    client.force_login(notice_admin)

    response = client.post(
        "/notices/manage/add/",
        {
            "title": "Quarter-end closing",
            "body": "Branches close at 15:00 on Friday.",
            "level": "important",
            "audience": "orgs",
            "orgs": [bank.north.pk, bank.south.pk],
            "valid_from": local_input(now - dt.timedelta(minutes=5)),
            "valid_until": local_input(now + dt.timedelta(days=2)),
        },
    )
    notice = Notice.objects.get(title="Quarter-end closing")
    draft_visible = services.current_notices_for(bank.north_rm).exists()
    client.post(f"/notices/manage/{notice.pk}/publish/", {"publish": "1"})

    assert response.status_code == 302 and response["Location"] == f"/notices/manage/{notice.pk}/"
    assert notice.author == notice_admin and notice.org == bank.head
    assert set(notice.orgs.all()) == {bank.north, bank.south}
    assert not draft_visible
    assert services.current_notices_for(bank.north_rm).filter(pk=notice.pk).exists()
    assert AuditEntry.objects.filter(action="notices.published", object_id=str(notice.pk)).exists()
    page = client.get(f"/notices/manage/{notice.pk}/").content.decode()
    assert 'data-testid="unpublish"' in page


def test_the_form_refuses_an_end_before_the_start_and_an_org_audience_without_orgs(notice_admin, client, now):
    client.force_login(notice_admin)
    base = {"title": "T", "body": "B", "level": "info", "valid_from": local_input(now)}

    backwards = client.post(
        "/notices/manage/add/", {**base, "audience": "all", "valid_until": local_input(now - dt.timedelta(days=1))}
    )
    no_orgs = client.post("/notices/manage/add/", {**base, "audience": "orgs"})

    assert "The notice must end after it starts." in backwards.content.decode()
    assert "Choose at least one org." in no_orgs.content.decode()
    assert not Notice.objects.exists()


def test_withdrawing_a_notice_takes_it_off_every_banner_at_once(bank, notice_admin, publish, client):
    notice = publish(title="Withdraw me")
    client.force_login(notice_admin)

    client.post(f"/notices/manage/{notice.pk}/publish/", {"publish": "0"})

    assert not services.current_notices_for(bank.north_rm).exists()
    assert AuditEntry.objects.filter(action="notices.unpublished", object_id=str(notice.pk)).exists()


def test_a_published_notice_must_be_withdrawn_before_it_is_deleted(notice_admin, publish, client, now):
    notice = publish()
    client.force_login(notice_admin)

    client.post(f"/notices/manage/{notice.pk}/delete/")
    still_there = Notice.objects.filter(pk=notice.pk).exists()
    services.unpublish_notice(notice_admin, notice, now)
    response = client.post(f"/notices/manage/{notice.pk}/delete/")

    assert still_there
    assert response["Location"] == "/notices/manage/"
    assert not Notice.objects.filter(pk=notice.pk).exists()


def test_an_expired_notice_cannot_be_published(notice_admin, now):
    notice = services.save_notice(
        notice_admin,
        None,
        title="Late",
        body="Too late.",
        valid_from=now - dt.timedelta(days=2),
        valid_until=now - dt.timedelta(days=1),
        now=now,
    )

    with pytest.raises(DomainError, match="already expired"):
        services.publish_notice(notice_admin, notice, now)


def test_staff_without_the_permission_cannot_open_or_change_the_administration(bank, publish, client, now):
    notice = publish()
    client.force_login(bank.north_rm)
    api = api_for(bank.north_rm)

    assert client.get("/notices/manage/").status_code == 403
    assert client.get("/notices/manage/add/").status_code == 403
    assert client.post(f"/notices/manage/{notice.pk}/publish/", {"publish": "0"}).status_code == 403
    assert api.get("/api/v1/notices/").status_code == 403
    assert api.post("/api/v1/notices/", {"title": "x", "body": "y"}).status_code == 403
    with pytest.raises(PermissionDenied):
        services.unpublish_notice(bank.north_rm, notice, now)
    assert Notice.objects.get(pk=notice.pk).is_published


def test_a_branch_administrator_addresses_only_orgs_inside_the_branch(bank, north_admin, now):
    mine = services.save_notice(
        north_admin, None, title="North only", body="…", audience="orgs", orgs=[bank.north_sub], now=now
    )

    with pytest.raises(DomainError, match="outside your data scope"):
        services.save_notice(north_admin, None, title="South", body="…", audience="orgs", orgs=[bank.south], now=now)
    with pytest.raises(DomainError, match="bank-wide"):
        services.save_notice(north_admin, None, title="All", body="…", audience="all", now=now)
    assert mine.org == bank.north


def test_a_branch_administrator_sees_and_changes_only_the_notices_of_the_branch(
    bank, north_admin, publish, client, now
):
    head_notice = publish(title="From head office")
    north_notice = services.save_notice(
        north_admin, None, title="From the north", body="…", audience="orgs", orgs=[bank.north], now=now
    )
    client.force_login(north_admin)
    api = api_for(north_admin)

    page = list_table(client.get("/notices/manage/"))
    listed = {n["title"] for n in api.get("/api/v1/notices/").json()["results"]}

    assert "From the north" in page and "From head office" not in page
    assert listed == {"From the north"}
    assert client.get(f"/notices/manage/{head_notice.pk}/").status_code == 404
    assert api.get(f"/api/v1/notices/{head_notice.pk}/").status_code == 404
    assert api.post(f"/api/v1/notices/{head_notice.pk}/unpublish/").status_code == 404
    assert client.get(f"/notices/manage/{north_notice.pk}/").status_code == 200


def test_the_api_creates_edits_publishes_withdraws_and_deletes_a_notice(bank, notice_admin, now):
    api = api_for(notice_admin)

    created = api.post(
        "/api/v1/notices/",
        {"title": "API notice", "body": "Hello", "audience": "orgs", "orgs": [bank.south.pk]},
        format="json",
    )
    pk = created.json()["id"]
    edited = api.patch(f"/api/v1/notices/{pk}/", {"title": "API notice (edited)"}, format="json")
    published = api.post(f"/api/v1/notices/{pk}/publish/")
    south_sees = services.current_notices_for(bank.south_rm).filter(pk=pk).exists()
    north_sees = services.current_notices_for(bank.north_rm).filter(pk=pk).exists()
    refused_delete = api.delete(f"/api/v1/notices/{pk}/")
    withdrawn = api.post(f"/api/v1/notices/{pk}/unpublish/")
    deleted = api.delete(f"/api/v1/notices/{pk}/")

    assert created.status_code == 201, created.content
    assert created.json()["author"] == notice_admin.pk and created.json()["is_published"] is False
    assert edited.json()["title"] == "API notice (edited)" and edited.json()["orgs"] == [bank.south.pk]
    assert published.json()["is_published"] is True
    assert south_sees and not north_sees
    assert refused_delete.status_code == 400
    assert withdrawn.json()["is_published"] is False
    assert deleted.status_code == 204


def test_an_api_notice_with_a_bad_audience_is_a_400_naming_the_field(notice_admin):
    api = api_for(notice_admin)

    response = api.post("/api/v1/notices/", {"title": "x", "body": "y", "audience": "roles"}, format="json")

    assert response.status_code == 400
    assert "roles" in response.json()
