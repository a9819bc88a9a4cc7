"""Reusable validators: the password policy additions (issue 3, point 6; Django's validators cover length,
similarity and common passwords) and visible names (issue 11, point 11)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class LettersAndDigitsValidator:
    """A password must mix letters with digits or symbols: "correcthorse" and "1234567890" are refused."""

    def validate(self, password, user=None):
        has_letter = any(ch.isalpha() for ch in password)
        has_other = any(not ch.isalpha() and not ch.isspace() for ch in password)
        if not (has_letter and has_other):
            raise ValidationError(
                _("The password must contain letters and at least one digit or symbol."),
                code="password_needs_letters_and_digits",
            )

    def get_help_text(self):
        return _("Your password must contain letters and at least one digit or symbol.")


# ---------------------------------------------------------------- names and other display text (issue 11, point 11)

# Letters that draw nothing (Hangul fillers, the braille blank): a name of them only looks empty.
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")


def strip_invisible(value: str) -> str:
    """`value` in Unicode NFC without invisible characters, its whitespace runs collapsed to one space.

    Removed: format characters (Unicode category Cf — zero-width space/joiners, word joiner, BOM,
    soft hyphen, and every bidirectional mark, embedding, override and isolate), control
    characters (Cc), unassigned, private-use and surrogate code points, and letters that draw
    nothing (BLANK_LETTERS). Any run of whitespace
    (including ideographic and no-break spaces) becomes one ASCII space; ends are trimmed."""
    import unicodedata

    text = unicodedata.normalize("NFC", value or "")
    kept = []
    for ch in text:
        if ch.isspace():
            kept.append(" ")
        elif unicodedata.category(ch) not in ("Cf", "Cc", "Cn", "Co", "Cs") and ch not in BLANK_LETTERS:
            kept.append(ch)
    return " ".join("".join(kept).split())


def clean_name(value: str, *, max_length: int | None = None) -> str:
    """A person's or company's name as it will be stored: `strip_invisible(value)`.

    Raises ValidationError (code "no_visible_characters") when nothing visible remains — a name of
    only spaces, zero-width or bidi control characters — and ("too_long") past `max_length`."""
    cleaned = strip_invisible(value)
    if not cleaned:
        raise ValidationError(_("Enter a name with visible characters."), code="no_visible_characters")
    if max_length is not None and len(cleaned) > max_length:
        raise ValidationError(_("A name may be at most %(n)s characters long.") % {"n": max_length}, code="too_long")
    return cleaned


class VisibleNameValidator:
    """Field validator: refuses a value with no visible character (see `clean_name`)."""

    def __call__(self, value):
        clean_name(value)

    def __eq__(self, other):
        return isinstance(other, VisibleNameValidator)

    def deconstruct(self):
        return ("steward.core.validators.VisibleNameValidator", (), {})
