from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from steward.access import services
from steward.access.api.serializers import (
    ApiTokenIssuedSerializer,
    ApiTokenIssueSerializer,
    ApiTokenRevokeSerializer,
    ApiTokenSerializer,
    GrantableSerializer,
    PermissionSerializer,
    RoleAssignmentSerializer,
    RoleSerializer,
)
from steward.access.models import ApiToken, Role, RoleAssignment
from steward.access.registry import registry
from steward.core.api import ScopedModelViewSet
from steward.org.models import Employee


class RoleViewSet(ScopedModelViewSet):
    queryset = Role.objects.all()
    serializer_class = RoleSerializer
    permission_base = "access.role"
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    ordering_fields = ["code"]

    def required_permission_for(self, request):
        if self.action in ("create", "update", "partial_update"):
            return "access.role:change"
        return super().required_permission_for(request)

    def get_queryset(self):
        return super().get_queryset().prefetch_related("grants")

    def _save(self, serializer, role):
        data = dict(serializer.validated_data)
        names = data.pop("permissions", None)
        for field, value in data.items():
            setattr(role, field, value)
        if names is None:
            names = role.permission_names() if role.pk else []
        serializer.instance = services.save_role(self.request.user, role, names)

    def perform_create(self, serializer):
        self._save(serializer, Role())

    def perform_update(self, serializer):
        self._save(serializer, serializer.instance)

    @extend_schema(responses=PermissionSerializer(many=True))
    @action(detail=False, methods=["get"], required_permission="access.role:view", pagination_class=None)
    def registry(self, request):
        """Every menu and action a role can grant."""
        return Response(
            [
                {"name": p.name, "label": str(p.label), "group": str(p.group), "kind": p.kind}
                for p in registry.permissions.values()
            ]
        )


class RoleAssignmentViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Who holds which role where. Visible when the holder is inside your scope."""

    queryset = RoleAssignment.objects.all()
    serializer_class = RoleAssignmentSerializer
    filterset_fields = ["user", "role", "org", "scope"]

    def required_permission_for(self, request):
        if self.action in ("create", "end", "grantable"):
            return "access.assignment:change"
        return "access.assignment:view"

    def get_queryset(self):
        name = self.required_permission_for(self.request)
        visible_users = Employee.objects.visible_to(self.request.user, name).values("pk")
        queryset = RoleAssignment.objects.filter(user__in=visible_users).select_related("role", "org")
        if self.request.query_params.get("current") in ("1", "true"):
            queryset = queryset.filter(Q(ended_at__isnull=True))
        return queryset.order_by("-granted_at", "-pk")

    def perform_create(self, serializer):
        data = serializer.validated_data
        # The service refuses (403, with the reason) anything beyond the caller's own authority (PLT-03).
        serializer.instance = services.assign_role(
            self.request.user, data["user"], data["role"], data["org"], data["scope"]
        )

    @extend_schema(responses=GrantableSerializer)
    @action(detail=False, methods=["get"])
    def grantable(self, request):
        """What the caller may give (PLT-03): roles whose every permission they hold, the scopes up to
        their own, and the orgs inside their scope. A combination is checked again on create."""
        user = request.user
        return Response(
            {
                "roles": list(services.grantable_roles(user).values_list("pk", flat=True)),
                "scopes": services.grantable_scopes(user),
                "orgs": list(services.assignable_orgs(user).values_list("pk", flat=True)),
            }
        )

    @extend_schema(request=None, responses=RoleAssignmentSerializer)
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        assignment = services.end_assignment(request.user, self.get_object(), reason=request.data.get("reason", ""))
        return Response(RoleAssignmentSerializer(assignment).data)


class ApiTokenViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """API tokens (issue 11): anyone lists, issues, rotates and revokes their own; holders of
    access.token:view / access.token:revoke list and revoke those of employees in their scope.
    The key is returned once, when issued or rotated; only its hash is stored."""

    queryset = ApiToken.objects.all()
    serializer_class = ApiTokenSerializer
    permission_classes = [IsAuthenticated]
    filterset_fields = ["user"]

    def get_queryset(self):
        return services.tokens_visible_to(self.request.user).order_by("-created_at", "-pk")

    def _issued(self, token, key, status=201):
        return Response(ApiTokenIssuedSerializer(token, context={"key": key}).data, status=status)

    @extend_schema(request=ApiTokenIssueSerializer, responses={201: ApiTokenIssuedSerializer})
    def create(self, request):
        """Issue a token to myself."""
        serializer = ApiTokenIssueSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        token, key = services.issue_token(
            request.user, request.user, name=data["name"], days=data.get("expires_in_days")
        )
        return self._issued(token, key)

    @extend_schema(request=None, responses={201: ApiTokenIssuedSerializer})
    @action(detail=True, methods=["post"])
    def rotate(self, request, pk=None):
        """Replace one of my tokens by a new one; the old one stops working at once."""
        token, key = services.rotate_token(request.user, self.get_object())
        return self._issued(token, key)

    @extend_schema(request=ApiTokenRevokeSerializer, responses=ApiTokenSerializer)
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        serializer = ApiTokenRevokeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        token = services.revoke_token(request.user, self.get_object(), reason=serializer.validated_data["reason"])
        return Response(ApiTokenSerializer(token).data)
