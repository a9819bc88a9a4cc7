from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from steward.core.api import ScopedModelViewSet
from steward.customers.api.serializers import CustomerSerializer
from steward.tags import services
from steward.tags.api.serializers import (
    AffectedCountSerializer,
    BulkTagSerializer,
    CustomerGroupSerializer,
    CustomerTagSerializer,
    GroupMemberSerializer,
    MemberIdsSerializer,
    RecomputeSerializer,
    TagCategorySerializer,
    TagSerializer,
)
from steward.tags.models import CustomerGroup, CustomerTag, GroupMember, Tag, TagCategory
from steward.tags.permissions import GROUP_ADD, GROUP_VIEW, TAG_APPLY, TAG_MANAGE, TAG_VIEW

WRITES = ("create", "update", "partial_update", "destroy")


class _PermissionByAction(ScopedModelViewSet):
    read_permission = ""
    write_permission = ""

    def required_permission_for(self, request):
        if getattr(self, "action", None) in WRITES:
            return self.write_permission
        return super().required_permission_for(request) if self.required_permission else self.read_permission


class TagCategoryViewSet(_PermissionByAction):
    """Tag categories (the dimensions of the customer profile); bank-wide."""

    queryset = TagCategory.objects.all()
    serializer_class = TagCategorySerializer
    read_permission = TAG_VIEW
    write_permission = TAG_MANAGE
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.create_category(
            self.request.user,
            code=data["code"],
            name=data["name"],
            description=data.get("description", ""),
            sort_order=data.get("sort_order", 100),
        )

    def perform_update(self, serializer):
        category = serializer.instance
        data = serializer.validated_data
        serializer.instance = services.update_category(
            self.request.user,
            category,
            name=data.get("name", category.name),
            description=data.get("description", category.description),
            sort_order=data.get("sort_order", category.sort_order),
            is_active=data.get("is_active", category.is_active),
        )


class TagViewSet(_PermissionByAction):
    """Tags; a rule tag carries a filter definition and is recomputed after each daily load."""

    queryset = Tag.objects.all()
    serializer_class = TagSerializer
    read_permission = TAG_VIEW
    write_permission = TAG_MANAGE
    select_related = ("category",)
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.create_tag(
            self.request.user,
            category=data["category"],
            code=data["code"],
            name=data["name"],
            kind=data.get("kind", Tag.Kind.MANUAL),
            definition=data.get("definition"),
            description=data.get("description", ""),
            color=data.get("color", ""),
            now=timezone.now(),
        )

    def perform_update(self, serializer):
        tag = serializer.instance
        data = serializer.validated_data
        serializer.instance = services.update_tag(
            self.request.user,
            tag,
            category=data.get("category", tag.category),
            name=data.get("name", tag.name),
            definition=data.get("definition", tag.definition),
            description=data.get("description", tag.description),
            color=data.get("color", tag.color),
            now=timezone.now(),
        )

    @extend_schema(request=None, responses=RecomputeSerializer)
    @action(detail=True, methods=["post"], required_permission=TAG_MANAGE)
    def recompute(self, request, pk=None):
        """Recompute this rule tag now."""
        added, removed = services.recompute_now(request.user, self.get_object(), now=timezone.now())
        return Response({"added": added, "removed": removed})

    @extend_schema(responses=CustomerSerializer(many=True))
    @action(detail=True, methods=["get"], required_permission=TAG_VIEW)
    def customers(self, request, pk=None):
        """The customers carrying this tag that the caller may see (paginated, personal data masked)."""
        tag = self.get_object()
        queryset = (
            services.visible_customers(request.user)
            .filter(pk__in=CustomerTag.objects.filter(tag=tag).values("customer_id"))
            .select_related("owner", "org")
            .order_by("cif")
        )
        page = self.paginate_queryset(queryset)
        serializer = CustomerSerializer(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(serializer.data)


class CustomerTagViewSet(_PermissionByAction):
    """The tags on the customers the caller may see (?customer=<id>, ?tag=<id>). POST puts a manual
    tag on a customer, DELETE takes it off; bulk_add / bulk_remove take a list of customer ids."""

    queryset = CustomerTag.objects.all()
    serializer_class = CustomerTagSerializer
    read_permission = TAG_VIEW
    write_permission = TAG_APPLY
    select_related = ("tag", "tagged_by")
    http_method_names = ["get", "post", "delete", "head", "options"]

    @extend_schema(
        parameters=[
            OpenApiParameter("customer", int, required=False),
            OpenApiParameter("tag", int, required=False),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        for name in ("customer", "tag"):
            value = self.request.query_params.get(name, "")
            if value.isdigit():
                queryset = queryset.filter(**{f"{name}_id": int(value)})
        return queryset

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        customer = serializer.validated_data["customer"]
        tag = serializer.validated_data["tag"]
        services.tag_customers(request.user, tag, [customer.pk], now=timezone.now())
        link = CustomerTag.objects.select_related("tag", "tagged_by").get(customer=customer, tag=tag)
        return Response(self.get_serializer(link).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.untag_customers(self.request.user, instance.tag, [instance.customer_id], now=timezone.now())

    @extend_schema(request=BulkTagSerializer, responses=AffectedCountSerializer)
    @action(detail=False, methods=["post"], url_path="bulk-add", required_permission=TAG_APPLY)
    def bulk_add(self, request):
        """Put a manual tag on many customers; the count is of those newly tagged."""
        serializer = BulkTagSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        count = services.tag_customers(request.user, data["tag"], data["customers"], now=timezone.now())
        return Response({"count": count})

    @extend_schema(request=BulkTagSerializer, responses=AffectedCountSerializer)
    @action(detail=False, methods=["post"], url_path="bulk-remove", required_permission=TAG_APPLY)
    def bulk_remove(self, request):
        """Take a manual tag off many customers."""
        serializer = BulkTagSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        count = services.untag_customers(request.user, data["tag"], data["customers"], now=timezone.now())
        return Response({"count": count})


class CustomerGroupViewSet(_PermissionByAction):
    """The caller's personal groups and the system groups in their scope (never another user's
    personal group). Members are always those of the caller's customers."""

    queryset = CustomerGroup.objects.all()
    serializer_class = CustomerGroupSerializer
    read_permission = GROUP_VIEW
    write_permission = GROUP_VIEW  # the services decide: owner for personal, manager for system
    select_related = ("owner", "org")

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.create_group(
            self.request.user,
            name=data["name"],
            kind=data.get("kind", CustomerGroup.Kind.PERSONAL),
            description=data.get("description", ""),
            org=data.get("org"),
        )

    def perform_update(self, serializer):
        group = serializer.instance
        data = serializer.validated_data
        serializer.instance = services.update_group(
            self.request.user,
            group,
            name=data.get("name", group.name),
            description=data.get("description", group.description),
            org=data.get("org", group.org),
        )

    def perform_destroy(self, instance):
        services.delete_group(self.request.user, instance)

    @extend_schema(responses=CustomerSerializer(many=True))
    @action(detail=True, methods=["get"], required_permission=GROUP_VIEW)
    def members(self, request, pk=None):
        """The group's members the caller may see (paginated, personal data masked)."""
        group = self.get_object()
        queryset = services.members(request.user, group).select_related("owner", "org").order_by("cif")
        page = self.paginate_queryset(queryset)
        serializer = CustomerSerializer(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(serializer.data)

    @extend_schema(request=MemberIdsSerializer, responses=AffectedCountSerializer)
    @action(detail=True, methods=["post"], url_path="add-members", required_permission=GROUP_VIEW)
    def add_members(self, request, pk=None):
        """Add customers (ids the caller may see) to the group; the count is of those who joined."""
        group = self.get_object()
        serializer = MemberIdsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        count = services.add_members(request.user, group, serializer.validated_data["customers"], now=timezone.now())
        return Response({"count": count})

    @extend_schema(request=MemberIdsSerializer, responses=AffectedCountSerializer)
    @action(detail=True, methods=["post"], url_path="remove-members", required_permission=GROUP_VIEW)
    def remove_members(self, request, pk=None):
        """Remove customers from the group."""
        group = self.get_object()
        serializer = MemberIdsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        count = services.remove_members(request.user, group, serializer.validated_data["customers"], now=timezone.now())
        return Response({"count": count})


class GroupMemberViewSet(_PermissionByAction):
    """Memberships (?group=<id>) of the groups and customers the caller may see; read-only —
    add and remove through the group's add-members / remove-members."""

    queryset = GroupMember.objects.all()
    serializer_class = GroupMemberSerializer
    read_permission = GROUP_VIEW
    write_permission = GROUP_ADD
    select_related = ("customer",)
    http_method_names = ["get", "head", "options"]

    @extend_schema(parameters=[OpenApiParameter("group", int, required=False)])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def get_queryset(self):
        queryset = super().get_queryset()
        value = self.request.query_params.get("group", "")
        return queryset.filter(group_id=int(value)) if value.isdigit() else queryset
