"""DRF defaults referenced from settings; kept apart from the viewsets to avoid an import cycle."""

from rest_framework import pagination, permissions

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
        name = resolver(request)
        return name is not None and has_permission(request.user, name)


class ApiDocsPermission(permissions.BasePermission):
    """The OpenAPI schema and interactive docs need the registered `core.api:docs` permission."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and has_permission(request.user, "core.api:docs"))
