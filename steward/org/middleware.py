from django.utils import timezone

from steward.core.requests import client_ip
from steward.org.models import UserSession

TOUCH_EVERY_SECONDS = 60


class SessionActivityMiddleware:
    """Keeps UserSession current (online users, PLT-02) with at most one write a minute per session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if user is not None and user.is_authenticated and session is not None and session.session_key:
            now = timezone.now()
            last = session.get("_steward_seen")
            if last is None or now.timestamp() - last > TOUCH_EVERY_SECONDS:
                ip = client_ip(request)
                UserSession.objects.update_or_create(
                    session_key=session.session_key,
                    defaults={
                        "user": user,
                        "last_seen": now,
                        "ip_address": ip or None,
                        "user_agent": request.META.get("HTTP_USER_AGENT", "")[:300],
                    },
                )
                session["_steward_seen"] = now.timestamp()
        return response
