"""A logging filter that masks anything shaped like an ID, mobile or card number in every log line (PLT-13).

`settings.LOGGING` installs `RedactPersonalData` on every handler (the console, the web server's
access log "django.server", whose lines carry query strings), and the Celery worker installs it on
the handlers it sets up (steward/celery.py). A filter on a handler sees every record that reaches
the handler, whichever logger it was logged on.

The filter rewrites the record itself: the formatted message (with its args), the exception
text and the stack text, so no later handler or formatter sees the plain values.
"""

from __future__ import annotations

import logging
import re

from steward.privacy.masking import mask_card, mask_id_number, mask_mobile

# A run of digits, possibly grouped by spaces, dashes or "+", also URL-encoded ("%20", "%2B": a
# query string's spaces), possibly ending in the ID check character X.
_SEP = r"(?:[ \-+]|%2[0Bb])?"
RUN_RE = re.compile(r"(?:(?<!\d)|(?<=%20)|(?<=%2[Bb]))\d(?:" + _SEP + r"\d){10,18}[Xx]?(?![\dXx])")
_MOBILE_RE = re.compile(r"^(?:86)?(1[3-9]\d{9})$")
_ID_RE = re.compile(r"^\d{17}[\dXx]$|^\d{15}$")


def _mask_run(match: re.Match) -> str:
    text = match.group(0)
    digits = re.sub(r"%2[0Bb]|[^\dXx]", "", text)
    if _ID_RE.match(digits):
        return mask_id_number(digits)
    mobile = _MOBILE_RE.match(digits)
    if mobile:
        return mask_mobile(mobile.group(1))
    if digits.isdigit() and 16 <= len(digits) <= 19:
        return mask_card(digits)
    return text


def redact(text: str) -> str:
    """Mask every ID number (18 or 15 digits), mainland mobile (optionally +86) and card number
    (16–19 digits), also when written in groups ("6222 0212 3456 7890", "138-1234-5678")."""
    if not text:
        return text
    return RUN_RE.sub(_mask_run, text)


class RedactPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format: redact the parts we can see
            message = f"{record.msg} {record.args!r}"
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        return True


def install(logger: logging.Logger | None = None) -> None:
    """Put the filter on every handler of `logger` (the root logger by default) that lacks it;
    for handlers set up outside settings.LOGGING (the Celery worker's)."""
    logger = logger or logging.getLogger()
    for handler in logger.handlers:
        if not any(isinstance(f, RedactPersonalData) for f in handler.filters):
            handler.addFilter(RedactPersonalData())
