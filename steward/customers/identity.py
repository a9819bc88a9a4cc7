"""Facts derived from identity data: resident ID numbers (GB 11643-1999) and mobile numbers."""

from __future__ import annotations

import datetime as dt
import functools
import operator
import re
from dataclasses import dataclass

import phonenumbers
from django.utils.translation import gettext as _
from phonenumbers import PhoneMetadata, carrier, geocoder
from phonenumbers.carrierdata import CARRIER_DATA, CARRIER_LONGEST_PREFIX
from phonenumbers.geodata import GEOCODE_DATA, GEOCODE_LONGEST_PREFIX
from phonenumbers.prefix import _find_lang

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
    if len(first17) != len(_WEIGHTS):
        raise ValueError("a resident ID's check digit is computed over its first 17 digits")
    # (map/mul instead of a generator: an import checks 100,000 of these in a few seconds' budget)
    return _CHECK_CODES[sum(map(operator.mul, map(int, first17), _WEIGHTS)) % 11]


def parse_resident_id(value: str, field: str = "id_number", today: dt.date | None = None) -> ResidentId:
    """Validate an 18-digit resident ID (format, a real birth date from 1900 up to `today` — default the
    local date — and the check digit); derive birth date and gender."""
    number = re.sub(r"\s+", "", value or "").upper()
    if not _ID_RE.match(number):
        raise DomainError(_("A resident ID number has 18 characters: 17 digits and a digit or X."), field=field)
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise DomainError(_("The birth date inside the resident ID number is not a real date."), field=field) from None
    if birth.year < 1900:
        raise DomainError(_("The birth date inside the resident ID number is not a real date."), field=field)
    if birth > (today or _local_today()):
        raise DomainError(_("The birth date inside the resident ID number lies in the future."), field=field)
    if number[17] != check_digit(number[:17]):
        raise DomainError(
            _("The resident ID number is not valid: its check digit does not match (GB 11643)."), field=field
        )
    return ResidentId(number, birth, "M" if int(number[16]) % 2 else "F")


def _local_today() -> dt.date:
    from django.utils import timezone

    return timezone.localdate()


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


_CN_MOBILE_RE = re.compile(PhoneMetadata.metadata_for_region("CN").mobile.national_number_pattern)


def _longest_prefix_name(data: dict, longest: int, digits: str) -> str:
    for size in range(longest, 0, -1):
        entry = data.get(digits[:size])
        if entry is not None:
            name = _find_lang(entry, "zh", None, None)
            if name is not None:
                return name
    return ""


@functools.cache
def mobile_place(prefix7: str) -> tuple[str, str, str]:
    """(province, city, carrier) of the 7-digit block a mainland mobile number belongs to — what
    `parse_mobile` derives, read straight from phonenumbers' prefix tables.

    The daily intake derives this for a million customers; the full parse/validate/geocode path
    costs ~200 µs a number, this ~3 µs, and the cache holds one entry per block (a few hundred
    thousand at most). A block that is not a mobile block gives blanks."""
    number = prefix7 + "0000"
    if not _CN_MOBILE_RE.fullmatch(number):
        return "", "", ""
    digits = "86" + number
    # phonenumbers falls back to the country's name when it has no place for the block.
    place = _longest_prefix_name(GEOCODE_DATA, GEOCODE_LONGEST_PREFIX, digits) or "中国"
    match = _PROVINCE_RE.match(place)
    if match:
        province, city = match.group(1), match.group(2) or match.group(1)
    else:
        province = city = place
    return province[:20], city[:30], _longest_prefix_name(CARRIER_DATA, CARRIER_LONGEST_PREFIX, digits)[:20]
