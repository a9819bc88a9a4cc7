"""API base: the same registry permissions and data scope as the pages (PLT-11)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions, permissions, viewsets
from rest_framework.views import exception_handler as drf_exception_handler

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
    return drf_exception_handler(exc, context)
