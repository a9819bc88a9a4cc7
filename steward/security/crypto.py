"""Second-factor secrets at rest: the personal-data key ring (steward.privacy.crypto), with the
user's id bound in, so a secret copied onto another user's row does not decrypt."""

from steward.privacy import crypto


def encrypt_secret(secret: str, user_id: int) -> str:
    return crypto.encrypt(secret, context=f"totp:{user_id}")


def decrypt_secret(token: str, user_id: int) -> str:
    return crypto.decrypt(token, context=f"totp:{user_id}")
