"""Encryption of personal data at rest (AES-GCM) and keyed blind indexes (HMAC-SHA256) — PLT-13.

Keys come from the environment:
  STEWARD_PII_KEYS         "k2:<base64 32 bytes>,k1:<base64 32 bytes>" — the first key encrypts,
                           every listed key decrypts (so keys can be rotated: docs/security-pii.md)
  STEWARD_BLIND_INDEX_KEY  "<base64 32 bytes>" — the HMAC key of the exact-match indexes
Without them (DEBUG or tests only) keys are derived from SECRET_KEY; production refuses to
encrypt without explicit keys.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

ASSOCIATED_DATA = b"steward-pii-v1"
TOKEN_RE = re.compile(r"^([A-Za-z0-9_-]{1,16})\$([A-Za-z0-9+/=]+)$")


def _derived(label: str) -> bytes:
    return hashlib.sha256(f"{label}:{settings.SECRET_KEY}".encode()).digest()


def _decode_key(text: str, where: str) -> bytes:
    try:
        key = base64.b64decode(text.strip(), validate=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{where}: a key is not valid base64.") from exc
    if len(key) != 32:
        raise ImproperlyConfigured(f"{where}: each key must be 32 bytes (base64 of 32 random bytes).")
    return key


@lru_cache(maxsize=1)
def keyring() -> tuple[str, dict[str, bytes]]:
    """(current key id, {key id: key})."""
    raw = os.environ.get("STEWARD_PII_KEYS", "").strip()
    if not raw:
        if not (settings.DEBUG or getattr(settings, "TESTING", False)):
            raise ImproperlyConfigured("STEWARD_PII_KEYS must be set in production (see docs/security-pii.md).")
        return "dev", {"dev": _derived("pii-encryption")}
    keys: dict[str, bytes] = {}
    current = ""
    for part in raw.split(","):
        key_id, _sep, encoded = part.strip().partition(":")
        if not key_id or not encoded:
            raise ImproperlyConfigured("STEWARD_PII_KEYS entries look like 'k1:<base64 key>'.")
        keys[key_id] = _decode_key(encoded, "STEWARD_PII_KEYS")
        current = current or key_id
    return current, keys


@lru_cache(maxsize=1)
def blind_index_key() -> bytes:
    raw = os.environ.get("STEWARD_BLIND_INDEX_KEY", "").strip()
    if not raw:
        if not (settings.DEBUG or getattr(settings, "TESTING", False)):
            raise ImproperlyConfigured("STEWARD_BLIND_INDEX_KEY must be set in production.")
        return _derived("pii-blind-index")
    return _decode_key(raw, "STEWARD_BLIND_INDEX_KEY")


def encrypt(plain: str, context: str = "") -> str:
    """`context` (e.g. "totp:42") is bound in: the value decrypts only with the same context,
    so a token copied onto another row is useless."""
    key_id, keys = keyring()
    nonce = os.urandom(12)
    ciphertext = AESGCM(keys[key_id]).encrypt(nonce, plain.encode("utf-8"), ASSOCIATED_DATA + context.encode())
    return f"{key_id}${base64.b64encode(nonce + ciphertext).decode('ascii')}"


def decrypt(token: str, context: str = "") -> str:
    match = TOKEN_RE.match(token or "")
    if not match:
        raise ValueError("Not an encrypted value.")
    key_id, payload = match.groups()
    _current, keys = keyring()
    if key_id not in keys:
        raise ImproperlyConfigured(f"Encrypted with key {key_id!r}, which STEWARD_PII_KEYS no longer lists.")
    data = base64.b64decode(payload)
    return AESGCM(keys[key_id]).decrypt(data[:12], data[12:], ASSOCIATED_DATA + context.encode()).decode("utf-8")


def key_id_of(token: str) -> str | None:
    match = TOKEN_RE.match(token or "")
    return match.group(1) if match else None


def normalize(kind: str, value: str) -> str:
    """The form a value is indexed in: ID numbers upper-case without spaces, phones digits only."""
    value = re.sub(r"\s+", "", value or "")
    if kind in ("id_number",):
        return value.upper()
    if kind in ("mobile", "card", "account"):
        return re.sub(r"\D", "", value)
    return value.lower()


def blind_index(kind: str, value: str) -> str:
    """A keyed hash for exact-match lookup and de-duplication without storing the value."""
    message = f"{kind}:{normalize(kind, value)}".encode()
    return hmac.new(blind_index_key(), message, hashlib.sha256).hexdigest()
