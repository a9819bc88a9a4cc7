"""CUS-01 / CUS-16: the customer master — validation and derived facts."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from steward.core.errors import DomainError
from steward.customers import services
from steward.customers.identity import parse_mobile, parse_resident_id
from steward.customers.models import Customer
from steward.customers.tests.factories import resident_id

VALID_ID = "11010519491231002X"  # the GB 11643 example number


def test_a_resident_id_gives_birth_date_and_gender():
    person = parse_resident_id(VALID_ID)
    assert person.birth_date == dt.date(1949, 12, 31)
    assert person.gender == "F"
    assert parse_resident_id(resident_id(7, dt.date(1990, 5, 17), male=True)).gender == "M"


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("110105194912310021", "check digit"),
        ("11010519491331002X", "not a real date"),
        ("1101051949123100", "18 characters"),
    ],
)
def test_a_wrong_resident_id_is_refused_with_the_field_named(number, reason):
    with pytest.raises(DomainError) as caught:
        parse_resident_id(number)
    assert caught.value.field == "id_number"
    assert reason in str(caught.value)


def test_a_mobile_number_gives_province_city_and_carrier():
    facts = parse_mobile("138 1234 5678")
    assert (facts.number, facts.province, facts.city, facts.carrier) == (
        "13812345678",
        "江苏省",
        "连云港市",
        "中国移动",
    )
    beijing = parse_mobile("+86 186-1234-5678")
    assert (beijing.province, beijing.city, beijing.carrier) == ("北京市", "北京市", "中国联通")
    with pytest.raises(DomainError) as caught:
        parse_mobile("010-12345678")
    assert caught.value.field == "mobile"


def new_customer(book, **overrides):
    data = {
        "cif": "C900",
        "org": book.bank.north_team,
        "owner": book.bank.north_rm,
        "name": "  钱七 ",
        "id_type": "01",
        "id_number": VALID_ID.lower(),
        "mobile": "13812345678",
        "occupation": "02",
        "education": "03",
        "income_band": "03",
        "risk_level": "R3",
        "source": "branch",
    }
    data.update(overrides)
    return services.create_customer(book.bank.north_rm, **data)


def test_creating_a_customer_derives_what_the_identity_says(book):
    customer = Customer.objects.get(pk=new_customer(book).pk)

    assert customer.name == "钱七"
    assert customer.id_number == VALID_ID
    assert (customer.birth_date, customer.gender) == (dt.date(1949, 12, 31), "F")
    assert customer.age_on(dt.date(2026, 12, 30)) == 76
    assert customer.age_on(dt.date(2026, 12, 31)) == 77
    assert (customer.mobile_province, customer.mobile_city, customer.mobile_carrier) == (
        "江苏省",
        "连云港市",
        "中国移动",
    )
    assert Customer.objects.filter(id_number_index=customer.id_number_index).count() == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"id_number": "110105194912310021"}, "id_number"),
        ({"mobile": "12345"}, "mobile"),
        ({"occupation": "77"}, "occupation"),
        ({"income_band": "99"}, "income_band"),
        ({"risk_level": "R9"}, "risk_level"),
        ({"cif": "C100"}, "cif"),
        ({"name": " "}, "name"),
    ],
)
def test_invalid_master_data_is_refused_naming_the_field(book, overrides, field):
    with pytest.raises(DomainError) as caught:
        new_customer(book, **overrides)
    assert caught.value.field == field
    assert not Customer.objects.filter(cif=overrides.get("cif", "C900"), name="钱七").exists()


def test_the_same_id_number_cannot_belong_to_two_customers(book):
    new_customer(book)
    with pytest.raises(DomainError) as caught:
        new_customer(book, cif="C901")
    assert caught.value.field == "id_number"


def test_a_passport_keeps_the_birth_date_and_gender_given(book):
    customer = new_customer(book, id_type="02", id_number="E12345678", birth_date=dt.date(1980, 2, 3), gender="M")
    assert (customer.birth_date, customer.gender) == (dt.date(1980, 2, 3), "M")


def test_updating_needs_the_customer_in_scope(book):
    services.update_customer(book.bank.north_rm, book.mine, mobile="18612345678")
    book.mine.refresh_from_db()
    assert book.mine.mobile_city == "北京市"
    with pytest.raises(PermissionDenied):
        services.update_customer(book.bank.south_rm, book.mine, name="改名")


def test_service_subscriptions_are_editable(book, client):
    client.force_login(book.bank.north_rm)
    response = client.post(f"/customers/{book.mine.pk}/subscriptions/", {"sms": "on"})
    assert response.status_code == 302
    book.mine.refresh_from_db()
    assert (book.mine.sms_subscribed, book.mine.phone_notice_subscribed) == (True, False)


def test_the_e_mail_and_its_subscription_are_kept_on_the_page_and_the_api(book, client):
    """CUS-16, INT-05: the e-mail the channels send to, and the customer's e-mail subscription, are
    edited on the 360° view and through the API; an address that is not one is refused by field."""
    client.force_login(book.bank.north_rm)
    client.post(f"/customers/{book.mine.pk}/subscriptions/", {"email": "on"})
    book.mine.refresh_from_db()
    assert (book.mine.email_subscribed, book.mine.sms_subscribed) == (True, False)
    services.update_customer(book.bank.north_rm, book.mine, email="zhang.san@example.cn")
    page = client.get(f"/customers/{book.mine.pk}/tab/profile/").content.decode()
    assert 'data-testid="email"' in page and "e-mail notices" in page

    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(book.bank.north_rm)
    body = api.get(f"/api/v1/customers/{book.mine.pk}/").json()
    assert body["email_subscribed"] is True and "email" in body
    refused = api.patch(f"/api/v1/customers/{book.mine.pk}/", {"email": "not-an-address"}, format="json")
    assert refused.status_code == 400 and "email" in refused.json()


def test_the_create_page_saves_through_the_service_and_shows_field_errors(book, client):
    client.force_login(book.bank.north_rm)
    data = {
        "cif": "C950",
        "name": "孙八",
        "org": book.bank.north_team.pk,
        "owner": book.bank.north_rm.pk,
        "id_type": "01",
        "id_number": "110105194912310021",
        "mobile": "13812345678",
        "kyc_status": "pending",
        "status": "active",
        "gender": "U",
    }
    response = client.post("/customers/add/", data)
    assert response.status_code == 200
    assert "check digit" in response.content.decode()
    data["id_number"] = VALID_ID
    response = client.post("/customers/add/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Customer.objects.get(cif="C950").gender == "F"


def test_the_create_and_edit_pages_render_without_plain_personal_data(book, client):
    client.force_login(book.bank.north_rm)
    assert client.get("/customers/add/").status_code == 200
    page = client.get(f"/customers/{book.mine.pk}/edit/")
    assert page.status_code == 200
    assert book.mine.id_number not in page.content.decode()
    response = client.post(
        f"/customers/{book.mine.pk}/edit/",
        {
            "name": "张三丰",
            "id_type": "01",
            "id_number": "",
            "kyc_status": "verified",
            "status": "active",
            "gender": "M",
        },
    )
    assert response.status_code == 302, response.content.decode()[:1500]
    book.mine.refresh_from_db()
    assert (book.mine.name, book.mine.kyc_status) == ("张三丰", "verified")
    assert book.mine.id_number  # left empty: kept
