"""DRF defaults referenced from settings; kept apart from the viewsets to avoid an import cycle."""

from rest_framework import exceptions, pagination, permissions

from steward.access.registry import registry
from steward.access.services import has_permission


class StandardPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class RegistryPermission(permissions.BasePermission):
    """A view names `permission_base` ("org.employee"); the action picks the suffix.

    Extra actions set `required_permission` through `@action(..., required_permission=…)`.
    """

    def has_permission(self, request, view):
        if not request.user or not request.user.is_authenticated:
            return False
        resolver = getattr(view, "required_permission_for", None)
        if resolver is None:  # the API root and schema views: any signed-in user
            return True
        name = self.permission_name(view, request, resolver)
        if name is not None and name not in registry.permissions:
            # An action nobody can be granted: the method is not served here (PLT-11: 405, not a crash).
            raise exceptions.MethodNotAllowed(request.method)
        return name is not None and has_permission(request.user, name)

    @staticmethod
    def permission_name(view, request, resolver):
        """OPTIONS (DRF's "metadata" action) needs what reading needs: the list's permission on a
        list URL, the detail's on a record's URL."""
        if getattr(view, "action", None) != "metadata":
            return resolver(request)
        lookup = getattr(view, "lookup_url_kwarg", None) or getattr(view, "lookup_field", "pk")
        view.action = "retrieve" if lookup in getattr(view, "kwargs", {}) else "list"
        try:
            return resolver(request)
        finally:
            view.action = "metadata"


class ApiDocsPermission(permissions.BasePermission):
    """The OpenAPI schema and interactive docs need the registered `core.api:docs` permission."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and has_permission(request.user, "core.api:docs"))
