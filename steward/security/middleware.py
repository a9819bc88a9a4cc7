"""Session rules of login security — issue 3, point 6.

* IdleSessionMiddleware signs a user out after inactivity. The limit is the system parameter
  "security.session_idle_minutes" (PLT-06). The time of the last request is kept in the
  session and rewritten at most once a minute, so an idle session ends within a minute of the
  limit and an active one costs no extra write per request.
* SecondFactorMiddleware ends a session that was opened without the one-time code although
  one was due (e.g. through the Django admin's login form); see steward.security.signals.
"""

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from steward.basedata.services import parameter

LAST_ACTIVITY_KEY = "_steward_last_activity"
UNVERIFIED_KEY = "_steward_second_factor_missing"
REWRITE_EVERY_SECONDS = 60


def back_to_login(request, text: str):
    """Sign out, say why on the login page, and come back to this page afterwards."""
    logout(request)  # audited as a logout (steward.audit.signals)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": text}, status=401)
    messages.warning(request, text)
    target = reverse("login")
    if request.method == "GET":
        target += "?" + urlencode({"next": request.get_full_path()})
    response = HttpResponseRedirect(target)
    if request.headers.get("HX-Request"):
        response["HX-Redirect"] = target
    return response


def idle_limit_seconds() -> int:
    return int(parameter("security.session_idle_minutes")) * 60


class IdleSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is not None and session is not None and user.is_authenticated:
            now = timezone.now().timestamp()
            last = session.get(LAST_ACTIVITY_KEY)
            limit = idle_limit_seconds()
            if last is not None and now - last > limit:
                text = _("You were signed out after %(minutes)d minutes without activity. Please log in again.")
                return back_to_login(request, text % {"minutes": limit // 60})
            if last is None or now - last >= REWRITE_EVERY_SECONDS:
                session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated and session.get(UNVERIFIED_KEY):
            return back_to_login(request, _("This account logs in with a one-time code. Please log in here."))
        return self.get_response(request)
