"""Login security state that belongs to no business domain (issue 3, point 6)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SecondFactor(models.Model):
    """A member of staff's authenticator app (TOTP, RFC 6238): the shared secret, encrypted.

    Unconfirmed while the user is setting it up; confirmed once they have entered a valid
    code. `last_used_step` is the 30-second time step of the last accepted code, so a code
    cannot be used twice.
    """

    # Enrolment, use and reset are audited as explicit events; the secret itself never is.
    audit_ignore = True

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="second_factor")
    secret = models.TextField(editable=False)  # AES-GCM ciphertext, see steward.security.crypto
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("enrolled at"), null=True, blank=True)
    last_used_step = models.BigIntegerField(null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("second factor")
        verbose_name_plural = _("second factors")

    def __str__(self) -> str:
        return f"{self.user} ({'enrolled' if self.confirmed_at else 'pending'})"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None
