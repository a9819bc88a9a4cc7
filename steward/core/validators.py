"""Password policy additions (issue 3, point 6); Django's validators cover length, similarity and common passwords."""

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
