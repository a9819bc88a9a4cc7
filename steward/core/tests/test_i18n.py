"""PLT-12: Chinese and English interfaces — the browser's language by default, the user's choice remembered.

These tests look at which language a page is served in (``<html lang>``), at English strings, and at
code-table labels (data, in both languages). Whether every UI string has a Chinese translation is
checked against the catalogue itself in test_translations.py.
"""

import pytest
from django.test import Client
from rest_framework.test import APIClient

import steward.settings as project_settings
from steward.basedata.models import SystemParameter
from steward.org.models import Employee
from steward.testing import TEST_PASSWORD, grant


def html_lang(response):
    page = response.content.decode()
    return page.split('<html lang="', 1)[1].split('"', 1)[0]


def test_without_a_preference_the_product_default_is_chinese(db, settings):
    settings.LANGUAGE_CODE = project_settings.LANGUAGE_CODE  # the tests otherwise default to English

    assert project_settings.LANGUAGE_CODE == "zh-hans"
    assert html_lang(Client().get("/login/")) == "zh-hans"


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [("en-US,en;q=0.9", "en"), ("zh-CN,zh;q=0.9", "zh-hans"), ("zh-Hans", "zh-hans"), ("en", "en")],
)
def test_the_browsers_language_picks_the_interface_language(db, accept_language, expected):
    response = Client(HTTP_ACCEPT_LANGUAGE=accept_language).get("/login/")

    assert response.status_code == 200
    assert html_lang(response) == expected


def test_the_english_login_page_is_in_english(db):
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get("/login/").content.decode()

    assert "<title>Log in · Steward</title>" in page
    assert "Employee number" in page
    assert 'value="zh-hans"' in page  # the switch offers the other language


def test_the_language_cookie_beats_the_browsers_language(db):
    zh_browser = Client(HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    zh_browser.cookies["django_language"] = "en"
    en_browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    en_browser.cookies["django_language"] = "zh-hans"

    assert html_lang(zh_browser.get("/login/")) == "en"
    assert html_lang(en_browser.get("/login/")) == "zh-hans"


def test_switching_language_sets_the_cookie_and_follows_the_user_to_another_browser(bank):
    grant(bank.north_rm, "org.employee:view", scope="own")
    office = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
    office.force_login(bank.north_rm)

    response = office.post("/language/", {"language": "en", "next": "/org/employees/"})

    assert response.status_code == 302 and response["Location"] == "/org/employees/"
    assert response.cookies["django_language"].value == "en"
    assert html_lang(office.get("/org/employees/")) == "en"
    assert Employee.objects.get(pk=bank.north_rm.pk).language == "en"

    home = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")  # a Chinese browser at home
    login = home.post("/login/", {"username": "NRM", "password": TEST_PASSWORD})
    assert login.cookies["django_language"].value == "en"
    assert html_lang(home.get("/org/employees/")) == "en"


def test_an_unknown_language_is_refused(db):
    response = Client().post("/language/", {"language": "klingon", "next": "/"})

    assert response.status_code == 400
    assert "django_language" not in response.cookies


def test_switching_language_never_redirects_to_another_site(db):
    response = Client().post("/language/", {"language": "en", "next": "https://evil.example/phish"})

    assert response.status_code == 302 and response["Location"] == "/"


def test_code_labels_in_lists_follow_the_interface_language(bank):
    Employee.objects.filter(pk=bank.north_rm.pk).update(position="rm")
    grant(bank.north_rm, "org.employee:view", scope="own")
    english, chinese = Client(HTTP_ACCEPT_LANGUAGE="en"), Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
    english.force_login(bank.north_rm)
    chinese.force_login(bank.north_rm)

    english_page = english.get("/org/employees/").content.decode()
    chinese_page = chinese.get("/org/employees/").content.decode()

    assert "Relationship manager" in english_page and "个人客户经理" not in english_page
    assert "个人客户经理" in chinese_page


def test_api_error_messages_follow_the_callers_language(bank):
    grant(bank.admin, "basedata.parameter:change", scope="all")
    pk = SystemParameter.objects.get(key="leads.protection_days").pk
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.force_authenticate(bank.admin)

    response = api.patch(f"/api/v1/parameters/{pk}/", {"value": "x"}, format="json")

    assert response.json() == {"value": ["Enter a whole number, e.g. 7."]}
