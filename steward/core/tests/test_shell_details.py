"""PLT-12: the page shell's details (issue 13, point 3e) — the menu highlights exactly one entry,
the product has an icon, and the notice banner shows each notice once."""

import datetime as dt
import re

from django.test import Client
from django.utils import timezone

from steward.notices import services as notices
from steward.testing import grant


def active_entries(html: str) -> list[str]:
    """The highlighted menu entries: data-menu keys (and "home") of the links marked active."""
    menu = html[html.index('data-testid="main-menu"') : html.index("</aside>")]
    links = re.findall(r'<a class="nav-link active"[^>]*>', menu)
    return [(re.search(r'data-menu="([^"]+)"', link) or re.search(r'href="(/)"', link)).group(1) for link in links]


def test_the_menu_highlights_only_the_best_matching_entry(bank):
    """PLT-12: on /customers/org/ only "Org customers" is highlighted — not also "My customers",
    whose URL /customers/ the page's path starts with."""
    grant(bank.north_manager, "customers.customer:view", "customers.orglist:view", scope="subtree")
    browser = Client()
    browser.force_login(bank.north_manager)

    assert active_entries(browser.get("/customers/org/").content.decode()) == ["org_customers"]
    assert active_entries(browser.get("/customers/").content.decode()) == ["my_customers"]
    assert active_entries(browser.get("/").content.decode()) == ["/"]


def test_the_pages_link_an_icon_and_favicon_ico_answers(bank, client):
    """PLT-12: every page links the product's SVG icon, which is served; /favicon.ico answers 200
    with it (no 404 in every browser's first request), also before logging in."""
    login_page = client.get("/login/").content.decode()
    href = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', login_page).group(1)
    icon = client.get(href)
    assert icon.status_code == 200
    assert b"<svg" in b"".join(icon.streaming_content if icon.streaming else [icon.content])

    favicon = client.get("/favicon.ico")
    assert favicon.status_code == 200
    assert favicon["Content-Type"] == "image/svg+xml"
    assert favicon.content.startswith(b"<svg")


def test_the_notice_banner_shows_each_notice_once(bank):
    """PLT-10/PLT-12: one current notice is one title in the banner (the scrolling banner carried a
    second copy of every title for its loop, so a short list read each notice twice)."""
    grant(bank.admin, "notices.notice:add", "notices.notice:change", scope="all", org=bank.head)
    now = timezone.now()
    notice = notices.save_notice(
        bank.admin,
        None,
        title="系统将于今晚升级",
        body="22:00 起暂停服务一小时。",
        valid_from=now - dt.timedelta(hours=1),
    )
    notices.publish_notice(bank.admin, notice, now)
    browser = Client()
    browser.force_login(bank.north_rm)

    html = browser.get("/").content.decode()
    header = html[html.index('data-testid="notice-banner"') : html.index("</header>")]

    assert header.count("系统将于今晚升级") == 1
    assert header.count(f'href="/notices/{notice.pk}/"') == 1
