"""API base: the same registry permissions and data scope as the pages (PLT-11)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from rest_framework import exceptions, permissions, viewsets
from rest_framework.views import exception_handler as drf_exception_handler

from steward.access.registry import registry
from steward.core.errors import DomainError

ACTION_SUFFIX = {
    "list": "view",
    "retrieve": "view",
    "create": "add",
    "update": "change",
    "partial_update": "change",
    "destroy": "delete",
}


class ScopedModelViewSet(viewsets.ModelViewSet):
    """Reads go through visible_to(); writes call a service (implemented per viewset)."""

    permission_base = ""
    select_related: tuple[str, ...] = ()
    # Set per extra action: @action(..., required_permission="org.org:change").
    required_permission: str | None = None

    def required_permission_for(self, request) -> str | None:
        if self.required_permission:
            return self.required_permission
        action = getattr(self, "action", None)
        suffix = ACTION_SUFFIX.get(action or "")
        if suffix is None:
            return f"{self.permission_base}:view" if request.method in permissions.SAFE_METHODS else None
        return f"{self.permission_base}:{suffix}"

    def required_permission_of(self, action: str | None, request) -> str | None:
        """The permission `action` needs (what required_permission_for says while it is the action)."""
        current = getattr(self, "action", None)
        self.action = action
        try:
            return self.required_permission_for(request)
        finally:
            self.action = current

    def supports(self, action: str | None, request) -> bool:
        """An action is served when the permission it needs is registered: there is no
        ``org.org:delete``, so DELETE on an org is a 405 (with Allow), never a crash (PLT-11)."""
        if action == "metadata":
            return True
        name = self.required_permission_of(action, request)
        return name is None or name in registry.permissions

    def initial(self, request, *args, **kwargs):
        """Drops the handlers of the actions this viewset does not serve before anything else runs:
        DRF then answers their methods 405 and leaves them out of the Allow header."""
        self.perform_authentication(request)
        if request.user and request.user.is_authenticated:
            for method, action in (getattr(self, "action_map", None) or {}).items():
                if self.__dict__.get(method) is not None and not self.supports(action, request):
                    delattr(self, method)
            self.headers = self.default_response_headers
            if request.method.lower() in self.action_map and not hasattr(self, request.method.lower()):
                raise exceptions.MethodNotAllowed(request.method)
        super().initial(request, *args, **kwargs)

    def unmask_requested(self) -> bool:
        """``?unmask=1``: the caller asks for plain personal data. Refused at once (403) without
        privacy.pii:unmask; the serializers then pass the records they return through
        privacy.services.unmask, which also applies the bulk threshold and writes the audit entry."""
        request = getattr(self, "request", None)
        if request is None or request.query_params.get("unmask") not in ("1", "true"):
            return False
        from steward.privacy.services import UNMASK, can_unmask

        if not can_unmask(request.user):
            raise exceptions.PermissionDenied(
                _("Unmasking personal data needs the permission %(permission)s.") % {"permission": UNMASK}
            )
        return True

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["unmask"] = self.unmask_requested()
        return context

    def get_queryset(self):
        model = self.queryset.model
        name = self.required_permission_for(self.request) or f"{self.permission_base}:view"
        queryset = model.objects.visible_to(self.request.user, name)
        if self.select_related:
            queryset = queryset.select_related(*self.select_related)
        return queryset.order_by(*(model._meta.ordering or ["pk"]))


class ReadOnlyScopedViewSet(ScopedModelViewSet):
    http_method_names = ["get", "head", "options"]


def exception_handler(exc, context):
    """Domain and model validation errors become 400s that name the field; Django's 403 stays 403."""
    if isinstance(exc, DomainError):
        exc = exceptions.ValidationError({exc.field or "non_field_errors": [str(exc.message)]})
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(getattr(exc, "message_dict", None) or {"non_field_errors": exc.messages})
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    if isinstance(exc, exceptions.PermissionDenied) and context.get("request") is not None:
        from steward.core.views_shell import record_denial

        record_denial(context["request"], exc.detail)
    return drf_exception_handler(exc, context)
