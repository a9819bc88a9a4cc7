"""Facts derived from identity data: resident ID numbers (GB 11643-1999) and mobile numbers."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import phonenumbers
from django.utils.translation import gettext as _
from phonenumbers import carrier, geocoder

from steward.core.errors import DomainError

RESIDENT_ID = "01"  # id_type code of the resident ID card
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CODES = "10X98765432"
_ID_RE = re.compile(r"^\d{17}[\dX]$")


@dataclass(frozen=True)
class ResidentId:
    number: str
    birth_date: dt.date
    gender: str  # "M" / "F"


def check_digit(first17: str) -> str:
    return _CHECK_CODES[sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def parse_resident_id(value: str, field: str = "id_number") -> ResidentId:
    """Validate an 18-digit resident ID (format, birth date, check digit); derive birth date and gender."""
    number = re.sub(r"\s+", "", value or "").upper()
    if not _ID_RE.match(number):
        raise DomainError(_("A resident ID number has 18 characters: 17 digits and a digit or X."), field=field)
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise DomainError(_("The birth date inside the resident ID number is not a real date."), field=field) from None
    if birth.year < 1900:
        raise DomainError(_("The birth date inside the resident ID number is not a real date."), field=field)
    if number[17] != check_digit(number[:17]):
        raise DomainError(
            _("The resident ID number is not valid: its check digit does not match (GB 11643)."), field=field
        )
    return ResidentId(number, birth, "M" if int(number[16]) % 2 else "F")


def age_on(birth_date: dt.date | None, today: dt.date) -> int | None:
    if birth_date is None:
        return None
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))


@dataclass(frozen=True)
class MobileFacts:
    number: str
    province: str
    city: str
    carrier: str


_PROVINCE_RE = re.compile(r"^(.+?(?:省|自治区|特别行政区))(.*)$")


def parse_mobile(value: str, field: str = "mobile") -> MobileFacts:
    """A mainland mobile number with its province, city and carrier (phonenumbers, Chinese names)."""
    digits = re.sub(r"[\s-]", "", value or "")
    if digits.startswith("+86"):
        digits = digits[3:]
    try:
        parsed = phonenumbers.parse(digits, "CN")
    except phonenumbers.NumberParseException:
        raise DomainError(_("Enter a valid mainland mobile number (11 digits)."), field=field) from None
    if (
        not phonenumbers.is_valid_number(parsed)
        or phonenumbers.number_type(parsed) != phonenumbers.PhoneNumberType.MOBILE
        or parsed.country_code != 86
    ):
        raise DomainError(_("Enter a valid mainland mobile number (11 digits)."), field=field)
    place = geocoder.description_for_number(parsed, "zh")
    match = _PROVINCE_RE.match(place)
    if match:
        province, city = match.group(1), match.group(2) or match.group(1)
    else:  # municipalities: 北京市 is both
        province = city = place
    return MobileFacts(
        str(parsed.national_number), province[:20], city[:30], carrier.name_for_number(parsed, "zh")[:20]
    )
