"""The audit chain's HMAC keys — PLT-07.

Each entry's hash is HMAC-SHA256 under a key kept outside the database, so someone who can
write to the table cannot re-forge the chain with the project's own function. Keys come from
the environment, like the personal-data keys (docs/security-pii.md):

  STEWARD_AUDIT_KEYS  "a2:<base64 of 32 bytes>,a1:<base64 of 32 bytes>" — the first key signs
                      new entries; every listed key verifies (entries record their key id)

Without it (DEBUG or tests only) a key is derived from SECRET_KEY; production refuses to
write or verify the trail without it. Rotation: docs/audit.md.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ENV = "STEWARD_AUDIT_KEYS"
KEY_ID_RE = re.compile(r"^[A-Za-z0-9_-]{1,16}$")
DEV_KEY_ID = "dev"


def _derived() -> bytes:
    return hashlib.sha256(f"audit-chain:{settings.SECRET_KEY}".encode()).digest()


def _decode(text: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{ENV}: a key is not valid base64.") from exc
    if len(key) != 32:
        raise ImproperlyConfigured(f"{ENV}: each key must be 32 bytes (base64 of 32 random bytes).")
    return key


def parse_keys(raw: str) -> tuple[str, dict[str, bytes]]:
    """'a2:<b64>,a1:<b64>' → ("a2", {"a2": …, "a1": …})."""
    keys: dict[str, bytes] = {}
    current = ""
    for part in raw.split(","):
        if not part.strip():
            continue
        key_id, _sep, encoded = part.strip().partition(":")
        if not KEY_ID_RE.match(key_id) or not encoded:
            raise ImproperlyConfigured(f"{ENV} entries look like 'a1:<base64 key>' (key id: letters, digits, - or _).")
        if key_id in keys:
            raise ImproperlyConfigured(f"{ENV}: the key id {key_id!r} is listed twice.")
        keys[key_id] = _decode(encoded)
        current = current or key_id
    if not keys:
        raise ImproperlyConfigured(f"{ENV} lists no key.")
    return current, keys


def configured() -> bool:
    return bool(os.environ.get(ENV, "").strip())


@lru_cache(maxsize=1)
def keyring() -> tuple[str, dict[str, bytes]]:
    """(id of the signing key, {key id: key})."""
    raw = os.environ.get(ENV, "").strip()
    if not raw:
        if not (settings.DEBUG or getattr(settings, "TESTING", False)):
            raise ImproperlyConfigured(f"{ENV} must be set in production (see docs/audit.md).")
        return DEV_KEY_ID, {DEV_KEY_ID: _derived()}
    return parse_keys(raw)
