"""Why a file was refused, failed or held, in the reader's language — DAT-01, issue 12 point 4.

A load runs in a worker (or in an uploader's request) whose language is not the reader's, so a
reason is stored as its source text and parameters, with the English rendering alongside (for
logs, the admin and plain-text searches):

    batch.error = stored_reason(gettext_noop("Wrong header in %(file)s: …"), file=path.name, …)

and shown through `shown_reason(batch.error)`, which translates it when the page or API answers.
A reason stored as plain text (older rows, a message without parameters marked with
gettext_noop) is passed through gettext, which leaves text it does not know as it is.
"""

from __future__ import annotations

import json

from django.utils import translation

_MARK = '{"reason":'


def stored_reason(message: str, **params) -> str:
    """The text to store for `message` (its gettext_noop source text) with its %(name)s parameters."""
    params = {name: str(value) for name, value in params.items()}
    with translation.override("en"):
        text = message % params if params else message
    return json.dumps({"reason": text, "message": message, "params": params}, ensure_ascii=False)


def shown_reason(stored: str | None) -> str:
    """The stored reason in the active language (the reader's)."""
    if not stored:
        return ""
    if not stored.startswith(_MARK):
        return translation.gettext(stored)
    try:
        data = json.loads(stored)
    except ValueError:
        return stored
    try:
        message, params = data["message"], data.get("params") or {}
        translated = translation.gettext(message)
        return translated % params if params else translated
    except (KeyError, TypeError, ValueError):  # a translation whose placeholders do not match
        return str(data.get("reason", stored))


def english_reason(stored: str | None) -> str:
    """The stored reason in English (logs, the audit trail, command output)."""
    with translation.override("en"):
        return shown_reason(stored)
