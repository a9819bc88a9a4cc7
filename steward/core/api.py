"""API base: the same registry permissions and data scope as the pages (PLT-11)."""

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
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
