"""Masking of personal financial information per JR/T 0171-2020 — PLT-13.

One function per kind; every page, API response, export and log line goes through `mask`.
"""

from __future__ import annotations

import re

ID_NUMBER = "id_number"
MOBILE = "mobile"
CARD = "card"
ACCOUNT = "account"
EMAIL = "email"
ADDRESS = "address"
NAME = "name"

KINDS = (ID_NUMBER, MOBILE, CARD, ACCOUNT, EMAIL, ADDRESS)


def _digits(value: str) -> str:
    return re.sub(r"\s+", "", value)


def mask_id_number(value: str) -> str:
    """110105199001011234 → 1****************4: only the first and the last character are shown.

    The birth date, age and gender are shown beside the ID number, and the six-digit region code
    can often be guessed from the address: a mask that hid only the birth digits
    (110105********1234) was rebuilt from them exactly. With the region, sequence and gender
    digits hidden as well, at least 45 valid ID numbers remain consistent with everything
    Steward shows to a user without the unmask permission (docs/security-pii.md)."""
    value = _digits(value)
    if len(value) <= 2:
        return "*" * len(value)
    return value[:1] + "*" * (len(value) - 2) + value[-1:]


def mask_mobile(value: str) -> str:
    """13812345678 → 138****5678."""
    value = _digits(value)
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_card(value: str) -> str:
    """6222021234567890 → 6222 **** **** 7890."""
    value = _digits(value)
    if len(value) < 8:
        return "*" * len(value)
    return f"{value[:4]} **** **** {value[-4:]}"


def mask_account(value: str) -> str:
    value = _digits(value)
    if len(value) < 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_email(value: str) -> str:
    """zhang.san@example.com → z***@example.com."""
    local, _at, domain = value.partition("@")
    if not domain:
        return "***"
    return (local[:1] or "*") + "***@" + domain


def mask_address(value: str) -> str:
    """Keep the first six characters (province/city/district), hide the street and number."""
    value = value.strip()
    if len(value) <= 6:
        return value[:2] + "****"
    return value[:6] + "****"


def mask_name(value: str) -> str:
    return (value[:1] + "*" * (len(value) - 1)) if value else value


_MASKERS = {
    ID_NUMBER: mask_id_number,
    MOBILE: mask_mobile,
    CARD: mask_card,
    ACCOUNT: mask_account,
    EMAIL: mask_email,
    ADDRESS: mask_address,
    NAME: mask_name,
}


def mask(kind: str, value) -> str:
    if value is None or value == "":
        return "" if value is None else value
    return _MASKERS[kind](str(value))


def pii_kind(model, field_name: str) -> str | None:
    """The PII kind a model field declares (``pii_kind`` attribute on the field), if any."""
    try:
        field = model._meta.get_field(field_name)
    except Exception:
        return None
    return getattr(field, "pii_kind", None)
