"""Second factor (TOTP) and password operations — issue 3, point 6 (login security).

* A role can require a second factor (`Role.require_second_factor`); anyone may also enrol on
  their own. Login then asks for a 6-digit code after the password (steward.core.auth_views).
* The secret is shown only while enrolling; once confirmed it is never shown again, and it is
  never written to the audit trail or a log.
* A code is accepted once: its 30-second step must be later than the last accepted one.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass

import pyotp
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from pyotp.utils import strings_equal

from steward.access.models import RoleAssignment
from steward.access.services import require_visible
from steward.audit.services import log_event
from steward.core.errors import DomainError
from steward.core.services import service
from steward.security.crypto import decrypt_secret, encrypt_secret
from steward.security.models import SecondFactor

logger = logging.getLogger(__name__)

DIGITS = 6
INTERVAL = 30  # seconds per step
VALID_WINDOW = 1  # accept the previous and the next step too (clock drift)


# --- who needs what -------------------------------------------------------------------------


def required_by_role(user) -> bool:
    """Whether any current role of `user` requires a second factor."""
    return RoleAssignment.objects.current().filter(user=user, role__require_second_factor=True).exists()


def is_enrolled(user) -> bool:
    return SecondFactor.objects.filter(user=user, confirmed_at__isnull=False).exists()


def login_step_after_password(user) -> str | None:
    """What login asks for after a correct password: "verify" a code, "enrol" first, or nothing."""
    if is_enrolled(user):
        return "verify"
    if required_by_role(user):
        return "enrol"
    return None


# --- enrolment ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Enrolment:
    """What the user needs to set up their authenticator app; exists only until confirmed."""

    secret: str
    uri: str

    @property
    def grouped_secret(self) -> str:
        return " ".join(self.secret[i : i + 4] for i in range(0, len(self.secret), 4))

    def qr_svg(self) -> str:
        """The otpauth URI as an inline SVG QR code (generated here, no network)."""
        import qrcode
        import qrcode.image.svg

        image = qrcode.make(self.uri, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
        buffer = io.BytesIO()
        image.save(buffer)
        svg = buffer.getvalue().decode("utf-8")
        return mark_safe(svg[svg.index("<svg") :])  # our own drawing of the URI; no user text in it


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=DIGITS, interval=INTERVAL)


def _enrolment(user, secret: str) -> Enrolment:
    uri = _totp(secret).provisioning_uri(name=user.get_username(), issuer_name=str(settings.TOTP_ISSUER))
    return Enrolment(secret, uri)


@service
def start_enrolment(user, now=None) -> Enrolment:
    """Create (or show again) the pending secret for `user`. Refused once enrolled."""
    now = now or timezone.now()
    device = SecondFactor.objects.select_for_update().filter(user=user).first()
    if device is not None and device.is_confirmed:
        raise DomainError(_("A second factor is already set up for this account."))
    secret = _secret_of(device) if device is not None else None
    if secret is None:
        secret = pyotp.random_base32()
        SecondFactor.objects.update_or_create(
            user=user, defaults={"secret": encrypt_secret(secret, user.pk), "created_at": now}
        )
    return _enrolment(user, secret)


def _secret_of(device: SecondFactor) -> str | None:
    """The plain secret, or None when it cannot be decrypted (the encryption key was changed)."""
    try:
        return decrypt_secret(device.secret, device.user_id)
    except Exception:  # cryptography's InvalidTag, or a malformed value
        logger.warning(
            "The second-factor secret of user %s cannot be decrypted; they must enrol again.", device.user_id
        )
        return None


def _normalise(code) -> str:
    return "".join(str(code or "").split())


def _matching_step(secret: str, code: str, now) -> int | None:
    if len(code) != DIGITS or not code.isdigit():
        return None
    totp = _totp(secret)
    current = totp.timecode(now)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if strings_equal(code, totp.generate_otp(step)):
            return step
    return None


@service
def confirm_enrolment(user, code, now=None) -> SecondFactor:
    """Finish enrolment with a first valid code from the app; from now on login asks for a code."""
    now = now or timezone.now()
    device = SecondFactor.objects.select_for_update().filter(user=user, confirmed_at__isnull=True).first()
    if device is None:
        raise DomainError(_("Start the set-up again: there is no pending enrolment."))
    secret = _secret_of(device)
    step = _matching_step(secret, _normalise(code), now) if secret else None
    if step is None:
        raise DomainError(_("That code is not right. Check the time on your phone and try the current code."), "code")
    device.confirmed_at = now
    device.last_used_step, device.last_used_at = step, now
    device.save(update_fields=["confirmed_at", "last_used_step", "last_used_at"])
    log_event("security.second_factor_enrolled", user, actor=user, message="Second factor enrolled")
    return device


@service
def verify_code(user, code, now=None) -> bool:
    """Whether `code` is a valid, not yet used code of the user's confirmed authenticator."""
    now = now or timezone.now()
    device = SecondFactor.objects.select_for_update().filter(user=user, confirmed_at__isnull=False).first()
    if device is None:
        return False
    secret = _secret_of(device)
    step = _matching_step(secret, _normalise(code), now) if secret else None
    if step is None or (device.last_used_step is not None and step <= device.last_used_step):
        return False  # wrong, or replayed within the same (or an earlier) time step
    device.last_used_step, device.last_used_at = step, now
    device.save(update_fields=["last_used_step", "last_used_at"])
    return True


@service
def remove_own_second_factor(user, code, now=None) -> None:
    """A user who enrolled voluntarily may switch it off again, confirming with a current code."""
    now = now or timezone.now()
    if required_by_role(user):
        raise DomainError(_("One of your roles requires a second factor; it cannot be switched off."))
    if not verify_code(user, code, now):
        raise DomainError(_("That code is not right."), "code")
    SecondFactor.objects.filter(user=user).delete()
    log_event("security.second_factor_removed", user, actor=user, message="Second factor switched off by the user")


@service
def reset_second_factor(actor, user, now=None) -> bool:
    """An administrator clears a user's enrolment (lost phone); the user enrols again at next login."""
    require_visible(actor, "security.second_factor:reset", user)
    deleted, _details = SecondFactor.objects.filter(user=user).delete()
    if not deleted:
        raise DomainError(_("%(user)s has no second factor to reset.") % {"user": user})
    log_event("security.second_factor_reset", user, actor=actor, message="Second factor reset by an administrator")
    return True


# --- password -------------------------------------------------------------------------------


@service
def change_own_password(user, old_password: str, new_password: str) -> None:
    """The signed-in user changes their password; the policy (settings.AUTH_PASSWORD_VALIDATORS) applies."""
    if not user.check_password(old_password):
        raise DomainError(_("Your current password is not right."), "old_password")
    if old_password == new_password:
        raise DomainError(_("Choose a password different from the current one."), "new_password1")
    try:
        password_validation.validate_password(new_password, user)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages), "new_password1")
    user.set_password(new_password)
    user.save(update_fields=["password"])
    log_event("auth.password_changed", user, actor=user, message="Password changed by the user")
