"""PLT-10: staff see current notices scrolling in the top bar, the bell counts the unread ones, opening one reads it."""

import datetime as dt
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from steward.notices import services
from steward.notices.models import Notice
from steward.notices.services import NoticeBar
from steward.notices.tests.conftest import api_for, list_table


def unread_badge(html):
    match = re.search(r'data-testid="notifications-unread">(\d+)<', html)
    return int(match.group(1)) if match else 0


def banner_titles(html):
    return re.findall(r'data-testid="notice-banner-item">([^<]+)<', html)


def test_the_banner_scrolls_the_current_titles_and_each_opens_its_notice(bank, publish, client, now):
    upgrade = publish(title="System upgrade tonight")
    publish(title="New wealth product", level=Notice.Level.IMPORTANT)
    publish(title="Old news", valid_from=now - dt.timedelta(days=3), valid_until=now - dt.timedelta(days=1))
    client.force_login(bank.north_rm)

    html = client.get("/").content.decode()

    assert set(banner_titles(html)) == {"System upgrade tonight", "New wealth product"}
    assert f'href="/notices/{upgrade.pk}/"' in html
    assert 'class="notice-banner-track"' in html


def test_the_bell_shows_the_unread_count_and_links_to_the_list(bank, publish, client):
    first = publish(title="First")
    publish(title="Second")
    client.force_login(bank.north_rm)

    assert unread_badge(client.get("/").content.decode()) == 2
    client.get(f"/notices/{first.pk}/")
    html = client.get("/").content.decode()

    assert unread_badge(html) == 1
    assert re.search(r'href="/notices/"[^>]*data-testid="notifications"', html)


def test_with_nothing_unread_the_bell_shows_no_badge_and_there_is_no_banner(bank, client):
    client.force_login(bank.north_rm)

    html = client.get("/").content.decode()

    assert 'data-testid="notifications"' in html
    assert 'data-testid="notifications-unread"' not in html
    assert 'data-testid="notice-banner"' not in html


def test_the_banner_and_bell_cost_one_query_and_nothing_for_an_anonymous_visitor(bank, publish, client, now):
    for i in range(5):
        publish(title=f"Notice {i}")
    bar = NoticeBar(bank.north_rm, now)
    assert bank.north_rm.org is not None  # the page layout has loaded the org already (it shows its name)

    with CaptureQueriesContext(connection) as queries:
        items, unread = bar.items, bar.unread
        items, unread = bar.items, bar.unread

    assert len(queries) == 1
    assert len(items) == 5 and unread == 5
    login_page = client.get("/login/").content.decode()
    assert 'data-testid="notice-banner"' not in login_page


def test_opening_a_notice_marks_it_read_once_and_shows_the_text_safely(bank, publish, client):
    notice = publish(body="Read https://intranet.example.com/help first.\n\n<script>alert(1)</script>")
    client.force_login(bank.north_rm)

    page = client.get(f"/notices/{notice.pk}/").content.decode()
    first_read = notice.reads.get(user=bank.north_rm).read_at
    client.get(f"/notices/{notice.pk}/")

    assert '<a href="https://intranet.example.com/help"' in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert notice.reads.get(user=bank.north_rm).read_at == first_read


def test_the_notification_list_shows_read_and_unread_and_can_mark_all_read(bank, publish, client):
    read = publish(title="Already read")
    publish(title="Still unread")
    client.force_login(bank.north_rm)
    client.get(f"/notices/{read.pk}/")

    page = list_table(client.get("/notices/"))
    unread_only = list_table(client.get("/notices/?state=unread"))
    client.post("/notices/read-all/")

    assert "Already read" in page and "Still unread" in page
    assert page.count('data-unread="1"') == 1
    assert "Still unread" in unread_only and "Already read" not in unread_only
    assert services.unread_count(bank.north_rm) == 0


def test_expired_notices_stay_in_the_list_but_leave_the_banner_and_the_count(bank, publish, client, now):
    publish(title="Yesterday's outage", valid_from=now - dt.timedelta(days=2), valid_until=now - dt.timedelta(days=1))
    client.force_login(bank.north_rm)

    home = client.get("/").content.decode()
    everything = list_table(client.get("/notices/"))
    current = list_table(client.get("/notices/?period=current"))

    assert banner_titles(home) == [] and unread_badge(home) == 0
    assert "Yesterday&#x27;s outage" in everything
    assert "Yesterday&#x27;s outage" not in current


def test_the_api_lists_my_current_notices_and_marks_one_read(bank, publish):
    notice = publish(title="Via the API")
    api = api_for(bank.north_rm)

    listed = api.get("/api/v1/my-notices/").json()
    marked = api.post(f"/api/v1/my-notices/{notice.pk}/read/").json()
    count = api.get("/api/v1/my-notices/unread-count/").json()

    assert [(n["title"], n["is_read"]) for n in listed["results"]] == [("Via the API", False)]
    assert marked["is_read"] is True
    assert count == {"unread": 0}
    assert api.get("/api/v1/my-notices/?state=unread").json()["count"] == 0


def test_urgent_notices_scroll_first(bank, publish, now):
    publish(title="Routine", valid_from=now - dt.timedelta(minutes=5))
    publish(title="Urgent", level=Notice.Level.URGENT, valid_from=now - dt.timedelta(hours=2))

    assert [item.title for item in NoticeBar(bank.north_rm, now).items] == ["Urgent", "Routine"]
