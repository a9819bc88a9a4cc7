"""Issue 3, point 6: the password policy, and changing my own password."""

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.test import Client

from steward.audit.models import AuditEntry
from steward.core.validators import LettersAndDigitsValidator
from steward.org.models import Employee
from steward.testing import TEST_PASSWORD

NEW_PASSWORD = "Spring-rain-2027"


@pytest.mark.parametrize("password", ["onlylettersherE", "一二三四五六七八九十", "          x"])
def test_a_password_without_digits_or_symbols_is_refused(password):
    with pytest.raises(ValidationError, match="letters and at least one digit or symbol"):
        LettersAndDigitsValidator().validate(password)


@pytest.mark.parametrize("password", ["2938475610", "!!!!----####"])
def test_a_password_without_letters_is_refused(password):
    with pytest.raises(ValidationError, match="letters and at least one digit or symbol"):
        LettersAndDigitsValidator().validate(password)


@pytest.mark.parametrize("password", ["Spring-rain", "harbour2027", TEST_PASSWORD, "密码是安全的123"])
def test_letters_with_digits_or_symbols_pass(password):
    LettersAndDigitsValidator().validate(password)


def test_the_whole_policy_applies_length_commonness_and_the_mix(bank):
    for weak in ("Short-1", "password123", "abcdefghijkl"):
        with pytest.raises(ValidationError):
            password_validation.validate_password(weak, bank.north_rm)
    password_validation.validate_password(NEW_PASSWORD, bank.north_rm)


def change(client, old, new, again=None):
    return client.post("/account/password/", {"old_password": old, "new_password1": new, "new_password2": again or new})


def test_i_change_my_password_and_stay_signed_in_here_but_nowhere_else(bank, client):
    elsewhere = Client()
    elsewhere.force_login(bank.north_rm)
    client.force_login(bank.north_rm)

    response = change(client, TEST_PASSWORD, NEW_PASSWORD)

    assert response.status_code == 302 and response["Location"] == "/"
    assert Employee.objects.get(pk=bank.north_rm.pk).check_password(NEW_PASSWORD)
    assert client.get("/").status_code == 200
    assert elsewhere.get("/").status_code == 302
    assert AuditEntry.objects.filter(action="auth.password_changed", actor_id=bank.north_rm.pk).exists()
    entry = AuditEntry.objects.get(action="auth.password_changed")
    assert NEW_PASSWORD not in str(entry.changes) + entry.message


@pytest.mark.parametrize(
    ("old", "new", "again", "message"),
    [
        ("not-my-password-1", NEW_PASSWORD, None, "Your current password is not right."),
        (TEST_PASSWORD, NEW_PASSWORD, "Spring-rain-2028", "The two new passwords differ."),
        (TEST_PASSWORD, "abcdefghijkl", None, "letters and at least one digit or symbol"),
        (TEST_PASSWORD, "Sh0rt!", None, "too short"),
    ],
)
def test_a_refused_password_change_says_why_and_changes_nothing(bank, client, old, new, again, message):
    client.force_login(bank.north_rm)

    response = change(client, old, new, again)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert Employee.objects.get(pk=bank.north_rm.pk).check_password(TEST_PASSWORD)


def test_the_user_menu_links_to_the_password_and_two_step_pages(bank, client):
    client.force_login(bank.north_rm)

    html = client.get("/").content.decode()

    assert 'href="/account/password/"' in html and 'href="/account/two-step/"' in html
