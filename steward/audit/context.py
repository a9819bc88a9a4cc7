"""Who is acting, from where, within which request — carried in a ContextVar.

The web middleware sets it per request; jobs and commands set it with `acting_as(...)`.
"""

from __future__ import annotations

import contextlib
import uuid
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class AuditContext:
    request: object | None = None
    actor: object | None = None
    request_id: str = ""
    ip_address: str = ""
    source: str = ""
    # While set, per-row change events are collected here and written as batch summaries.
    bulk_buffer: dict | None = field(default=None)

    def current_actor(self):
        if self.actor is not None:
            return self.actor
        user = getattr(self.request, "user", None)
        if user is not None and getattr(user, "is_authenticated", False):
            return user
        return None


_current: ContextVar[AuditContext | None] = ContextVar("steward_audit_context", default=None)


def current() -> AuditContext:
    context = _current.get()
    return context if context is not None else AuditContext()


@contextlib.contextmanager
def activate(context: AuditContext):
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


@contextlib.contextmanager
def acting_as(actor=None, source: str = "", request_id: str | None = None):
    """For jobs and commands: entries written inside name this actor and source."""
    outer = current()
    context = AuditContext(
        request=outer.request,
        actor=actor if actor is not None else outer.actor,
        request_id=request_id or outer.request_id or uuid.uuid4().hex,
        ip_address=outer.ip_address,
        source=source or outer.source,
        bulk_buffer=outer.bulk_buffer,
    )
    with activate(context):
        yield context


class AuditContextMiddleware:
    """Gives every request an id (or keeps the proxy's X-Request-ID) and remembers the client IP."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from steward.core.requests import client_ip

        ip = client_ip(request)
        request_id = (request.META.get("HTTP_X_REQUEST_ID") or "")[:64] or uuid.uuid4().hex
        request.request_id = request_id
        with activate(AuditContext(request=request, request_id=request_id, ip_address=ip, source="web")):
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response
