"""Facts about the HTTP request that several layers need, computed one way."""

from django.conf import settings


def client_ip(request) -> str:
    """The client's address. `X-Forwarded-For` counts only through TRUSTED_PROXY_COUNT proxies
    (each appends the address it saw); otherwise a client could claim any address."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if not proxies:
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    if len(hops) < proxies:
        return remote
    return hops[-proxies]
