"""PLT-09 pages: my applications and a new one, the to-approve inbox, the detail with its buttons, the monitor."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from steward.approvals import services
from steward.approvals.models import Application
from steward.approvals.tests.conftest import ACTIVITY, LEAVE, activity_payload, leave_payload


def application_ids(html):
    return {int(pk) for pk in re.findall(r'data-application="(\d+)"', html)}


@pytest.fixture
def apps(people):
    """One north leave (pending at the team lead), one north proposal, one south leave."""
    return {
        "leave": services.submit(people.rm, LEAVE, reason="家事", payload=leave_payload()),
        "proposal": services.submit(people.rm2, ACTIVITY, reason="沙龙", payload=activity_payload()),
        "south": services.submit(people.south_rm, LEAVE, reason="病假", payload=leave_payload(kind="sick")),
    }


def test_a_new_application_is_chosen_filled_in_and_submitted_with_an_attachment(people, client):
    client.force_login(people.rm)

    choose = client.get("/approvals/new/").content.decode()
    assert 'href="/approvals/new/approvals.leave/"' in choose
    assert 'href="/approvals/new/approvals.activity_proposal/"' in choose
    form = client.get("/approvals/new/approvals.leave/").content.decode()
    assert "Annual leave" in form and "北方组长" in form  # leave types and the handler offered

    response = client.post(
        "/approvals/new/approvals.leave/",
        {
            "leave_type": "sick",
            "start_date": "2026-03-02",
            "end_date": "2026-03-03",
            "reason": "发烧",
            "handler": "",
            "attachments": [SimpleUploadedFile("诊断证明.pdf", b"%PDF-1.4 test", content_type="application/pdf")],
        },
    )

    application = Application.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/approvals/{application.pk}/"
    assert application.title == "Sick leave 2026-03-02 – 2026-03-03 (2 days)"
    assert application.attachments.get().name == "诊断证明.pdf"
    detail = client.get(response["Location"]).content.decode()
    assert "诊断证明.pdf" in detail and "北方组长" in detail
    assert 'data-testid="withdraw"' in detail and 'data-testid="approve"' not in detail


def test_the_form_shows_what_is_wrong_and_stores_nothing(people, client):
    client.force_login(people.rm)

    page = client.post(
        "/approvals/new/approvals.leave/",
        {"leave_type": "annual", "start_date": "2026-03-05", "end_date": "2026-03-01", "reason": "x"},
    ).content.decode()

    assert 'data-testid="field-error-end_date"' in page
    assert "The leave cannot end before it starts." in page
    assert not Application.objects.exists()


def test_my_applications_lists_only_mine(people, apps, client):
    client.force_login(people.rm)

    listing = client.get("/approvals/mine/").content.decode()

    assert application_ids(listing) == {apps["leave"].pk}
    assert application_ids(client.get("/approvals/mine/", {"status": "approved"}).content.decode()) == set()


def test_the_team_lead_decides_from_the_inbox(people, apps, client):
    client.force_login(people.lead)
    assert application_ids(client.get("/approvals/inbox/").content.decode()) == {apps["leave"].pk, apps["proposal"].pk}
    detail = client.get(f"/approvals/{apps['leave'].pk}/").content.decode()
    assert 'data-testid="approve"' in detail and 'data-testid="reject"' in detail and 'data-testid="forward"' in detail

    refused = client.post(f"/approvals/{apps['leave'].pk}/reject/", {"comment": "", "step": 0}, follow=True)
    assert "Say why the application is rejected." in refused.content.decode()

    approved = client.post(
        f"/approvals/{apps['leave'].pk}/approve/", {"comment": "同意", "step": 0, "next": "/approvals/inbox/"}
    )
    assert approved["Location"] == "/approvals/inbox/"
    moved_on = client.post(f"/approvals/{apps['proposal'].pk}/approve/", {"step": 0}, follow=True).content.decode()
    assert "moves on to “Branch manager approval”" in moved_on

    assert Application.objects.get(pk=apps["leave"].pk).status == Application.Status.APPROVED
    assert application_ids(client.get("/approvals/inbox/").content.decode()) == set()


def test_forwarding_and_withdrawing_from_the_page(people, apps, client):
    client.force_login(people.lead)
    client.post(
        f"/approvals/{apps['leave'].pk}/forward/", {"to": people.manager.pk, "comment": "请行长定夺", "step": 0}
    )
    assert list(apps["leave"].handlers.all()) == [people.manager]
    assert client.post(f"/approvals/{apps['proposal'].pk}/withdraw/").status_code == 403  # not the submitter

    client.force_login(people.rm2)
    client.post(f"/approvals/{apps['proposal'].pk}/withdraw/")
    assert Application.objects.get(pk=apps["proposal"].pk).status == Application.Status.WITHDRAWN


def test_the_monitor_shows_the_branch_and_filters_and_exports_it(people, apps, client):
    client.force_login(people.manager)

    assert application_ids(client.get("/approvals/monitor/").content.decode()) == {
        apps["leave"].pk,
        apps["proposal"].pk,
    }
    assert application_ids(client.get("/approvals/monitor/", {"type": ACTIVITY}).content.decode()) == {
        apps["proposal"].pk
    }
    assert application_ids(client.get("/approvals/monitor/", {"q": "北方客户经理二"}).content.decode()) == {
        apps["proposal"].pk
    }
    assert application_ids(
        client.get("/approvals/monitor/", {"org": people.rm.org_id, "status": "pending"}).content.decode()
    ) == {apps["leave"].pk, apps["proposal"].pk}
    # A filter naming an org outside the scope yields nothing.
    assert application_ids(client.get("/approvals/monitor/", {"org": people.south_rm.org_id}).content.decode()) == set()

    export = client.get("/approvals/monitor/", {"export": "xlsx"})
    sheet = load_workbook(io.BytesIO(export.content)).active
    titles = {row[1] for row in sheet.iter_rows(values_only=True)}
    assert {apps["leave"].title, apps["proposal"].title} <= titles
    assert apps["south"].title not in titles


def test_exporting_the_monitor_needs_the_export_permission(bank, people, apps, client):
    from steward.approvals.permissions import MONITOR
    from steward.testing import grant

    grant(bank.admin, MONITOR, scope="all")
    client.force_login(bank.admin)

    assert len(application_ids(client.get("/approvals/monitor/").content.decode())) == 3
    assert client.get("/approvals/monitor/", {"export": "xlsx"}).status_code == 403


def test_an_outsider_sees_nothing_of_the_north_through_the_pages(people, apps, client):
    client.force_login(people.south_lead)

    assert application_ids(client.get("/approvals/mine/").content.decode()) == set()
    assert application_ids(client.get("/approvals/inbox/").content.decode()) == {apps["south"].pk}
    for pk in (apps["leave"].pk, apps["proposal"].pk):
        assert client.get(f"/approvals/{pk}/").status_code == 404
        assert client.post(f"/approvals/{pk}/approve/").status_code == 404
        assert client.post(f"/approvals/{pk}/withdraw/").status_code == 404
    assert client.get("/approvals/monitor/").status_code == 403
    assert Application.objects.filter(status=Application.Status.PENDING).count() == 3


def test_a_colleague_in_the_same_team_cannot_open_my_application(people, apps, client):
    client.force_login(people.rm2)

    assert client.get(f"/approvals/{apps['leave'].pk}/").status_code == 404


def test_the_menu_follows_the_roles(people, client):
    client.force_login(people.rm)
    home = client.get("/").content.decode()
    assert 'data-menu="my_applications"' in home
    assert 'data-menu="to_approve"' not in home and 'data-menu="application_monitor"' not in home

    client.force_login(people.manager)
    home = client.get("/").content.decode()
    assert {"my_applications", "to_approve", "application_monitor"} <= set(re.findall(r'data-menu="([^"]+)"', home))
    inbox = client.get("/approvals/inbox/").content.decode()
    assert re.findall(r'class="nav-link active" href="[^"]+" data-menu="([^"]+)"', inbox) == ["to_approve"]
    assert client.get("/approvals/")["Location"] == "/approvals/mine/"


def test_pages_need_their_permissions(bank, client):
    client.force_login(bank.admin)  # holds nothing here
    for url in (
        "/approvals/mine/",
        "/approvals/new/",
        "/approvals/new/approvals.leave/",
        "/approvals/inbox/",
        "/approvals/monitor/",
    ):
        assert client.get(url).status_code == 403, url
    client.logout()
    assert client.get("/approvals/mine/").status_code == 302


def test_the_form_warns_before_filling_in_when_nobody_could_decide(people, client):
    from steward.access.models import RoleAssignment

    client.force_login(people.south_rm)
    assert 'data-testid="nobody-to-decide"' not in client.get("/approvals/new/approvals.leave/").content.decode()
    RoleAssignment.objects.filter(user=people.south_lead).delete()

    assert 'data-testid="nobody-to-decide"' in client.get("/approvals/new/approvals.leave/").content.decode()


def test_the_list_pages_cost_the_same_queries_for_5_or_25_rows(people, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(url):
        client.get(url)  # the first request after signing in also records the session
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, {"per_page": 50}).status_code == 200
        return len(captured)

    def add(count):
        for _ in range(count):
            services.submit(people.rm, LEAVE, reason="x", payload=leave_payload())

    add(5)
    client.force_login(people.manager)
    monitor_few = queries("/approvals/monitor/")
    client.force_login(people.lead)
    inbox_few = queries("/approvals/inbox/")
    add(20)

    assert queries("/approvals/inbox/") == inbox_few
    client.force_login(people.manager)
    assert queries("/approvals/monitor/") == monitor_few
