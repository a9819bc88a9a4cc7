from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone

from steward.security.middleware import LAST_ACTIVITY_KEY, UNVERIFIED_KEY

# Set on the request by the login page once the one-time code was accepted.
VERIFIED_ATTRIBUTE = "_steward_second_factor_verified"


@receiver(user_logged_in)
def check_the_new_session(sender, request, user, **kwargs):
    """A fresh login starts a fresh idle period, and must have passed the second factor if one is due.

    Any other way into a session (the Django admin's own login form, for one) is marked
    unverified here, and SecondFactorMiddleware ends it on the next request.
    """
    session = getattr(request, "session", None)
    if session is None:
        return
    session[LAST_ACTIVITY_KEY] = timezone.now().timestamp()
    if getattr(request, VERIFIED_ATTRIBUTE, False):
        return
    from steward.security.services import login_step_after_password

    if login_step_after_password(user) is not None:
        session[UNVERIFIED_KEY] = True
