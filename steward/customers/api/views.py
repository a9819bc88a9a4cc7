from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from steward.approvals.services import submit
from steward.core.api import ReadOnlyScopedViewSet, ScopedModelViewSet
from steward.core.errors import DomainError
from steward.customers import mastering, merging, services
from steward.customers.api.serializers import (
    AssignSerializer,
    CandidateGroupSerializer,
    CoManagerListSerializer,
    CoManagerSerializer,
    ConfidentialGrantRequestSerializer,
    ConfidentialGrantSerializer,
    ConfidentialRevokeSerializer,
    ConfidentialSerializer,
    CustomerNoteSerializer,
    CustomerSerializer,
    MergePlanSerializer,
    MergeSerializer,
    OwnershipConflictSerializer,
    ResolveConflictSerializer,
    TransferRequestSerializer,
)
from steward.customers.filters import CustomerFilterSet
from steward.customers.models import Customer, OwnershipConflict
from steward.org.models import Employee

READ_ONLY_ON_UPDATE = ("cif", "org", "owner")


class CustomerViewSet(ScopedModelViewSet):
    """Customers in the caller's data scope (confidential ones only for their owner and grantees);
    personal data masked unless ?unmask=1 is permitted. Writes call the customer services."""

    queryset = Customer.objects.all()
    serializer_class = CustomerSerializer
    permission_base = "customers.customer"
    filterset_class = CustomerFilterSet
    select_related = ("owner", "org", "figures")
    ordering_fields = ["cif", "name", "figures__aum", "figures__avg_daily_assets_month", "birth_date"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.create_customer(
            self.request.user, cif=data.pop("cif"), org=data.pop("org"), owner=data.pop("owner", None), **data
        )

    def perform_update(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k not in READ_ONLY_ON_UPDATE}
        serializer.instance = services.update_customer(self.request.user, serializer.instance, **data)

    @extend_schema(request=CustomerNoteSerializer, responses=CustomerNoteSerializer(many=True))
    @action(detail=True, methods=["get", "post"], required_permission="customers.customer:view")
    def notes(self, request, pk=None):
        """The notes the caller may read (public ones and their own private ones); POST adds one."""
        customer = self.get_object()
        if request.method == "POST":
            serializer = CustomerNoteSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            note = services.add_note(
                request.user,
                customer,
                serializer.validated_data["body"],
                private=serializer.validated_data.get("is_private", False),
            )
            return Response(CustomerNoteSerializer(note).data, status=status.HTTP_201_CREATED)
        notes = services.notes_for(request.user, customer).select_related("customer").prefetch_related("mentions__user")
        return Response(CustomerNoteSerializer(notes, many=True).data)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "show",
                str,
                enum=["all", "co-managed", "mentions"],
                description="all: on customers I own or co-manage, or mentioning me (default); co-managed; mentions.",
            )
        ],
        responses=CustomerNoteSerializer(many=True),
    )
    @action(detail=False, methods=["get"], url_path="shared-notes", required_permission="customers.customer:view")
    def shared_notes(self, request):
        """Colleagues' public notes on the customers I own or co-manage, and notes that mention me
        (SVC-12), newest first, paginated; never a private note, only customers in my data scope."""
        show = request.query_params.get("show", "all")
        if show not in ("all", "co-managed", "mentions"):
            raise ValidationError({"show": [_("Choose all, co-managed or mentions.")]})
        notes = services.shared_notes_for(request.user, show)
        page = self.paginate_queryset(notes)
        if page is not None:
            return self.get_paginated_response(CustomerNoteSerializer(page, many=True).data)
        return Response(CustomerNoteSerializer(notes, many=True).data)

    @extend_schema(request=ConfidentialSerializer, responses=CustomerSerializer)
    @action(detail=True, methods=["post"], required_permission="customers.customer:confidential")
    def confidential(self, request, pk=None):
        serializer = ConfidentialSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        customer = services.set_confidential(request.user, self.get_object(), serializer.validated_data["confidential"])
        return Response(self.get_serializer(customer).data)

    @extend_schema(request=ConfidentialGrantRequestSerializer, responses=ConfidentialGrantSerializer(many=True))
    @action(
        detail=True,
        methods=["get", "post"],
        url_path="confidential/grants",
        required_permission=services.CONFIDENTIAL,
    )
    def confidential_grants(self, request, pk=None):
        """Who holds access to the confidential customer (CUS-10); POST {"user": employee id,
        "expires_on": last day or null} grants it (again: a new end date). Answers the grants."""
        customer = self.get_object()
        if request.method == "POST":
            serializer = ConfidentialGrantRequestSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
            services.grant_confidential_access(request.user, customer, data["user"], expires_on=data.get("expires_on"))
        grants = services.confidential_grants(request.user, customer)
        return Response(ConfidentialGrantSerializer(grants, many=True).data)

    @extend_schema(request=ConfidentialRevokeSerializer, responses=ConfidentialGrantSerializer(many=True))
    @action(
        detail=True,
        methods=["post"],
        url_path="confidential/grants/revoke",
        required_permission=services.CONFIDENTIAL,
    )
    def revoke_confidential_grant(self, request, pk=None):
        """Revoke an employee's access grant ({"user": employee id}); answers the remaining grants
        (an empty list when the caller revoked their own and no longer sees the customer)."""
        customer = self.get_object()
        serializer = ConfidentialRevokeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.revoke_confidential_access(request.user, customer, serializer.validated_data["user"])
        if not self.get_queryset().filter(pk=customer.pk).exists():
            return Response([])
        return Response(
            ConfidentialGrantSerializer(services.confidential_grants(request.user, customer), many=True).data
        )

    @extend_schema(request=TransferRequestSerializer, responses={201: dict})
    @action(detail=False, methods=["post"], required_permission="customers.customer:transfer")
    def transfer(self, request):
        """Submit a transfer application ("customers.transfer"); the supervisor decides it."""
        serializer = TransferRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        application = submit(
            request.user,
            "customers.transfer",
            reason=data["reason"],
            payload={"customers": " ".join(data["customers"]), "new_owner": data["new_owner"]},
        )
        return Response({"application": application.pk, "status": application.status}, status=status.HTTP_201_CREATED)

    @extend_schema(request=AssignSerializer, responses={200: dict})
    @action(detail=False, methods=["post"], required_permission="customers.customer:assign")
    def assign(self, request):
        """Make an employee of an org in the caller's scope the owner of the named customers (no approval)."""
        serializer = AssignSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        new_owner = Employee.objects.filter(employee_no=data["new_owner"].strip()).first()
        if new_owner is None:
            raise DomainError(_("No employee has this number."), field="new_owner")
        customers = services.resolve_customers(request.user, data["customers"], services.ASSIGN)
        moved = services.assign_owner(request.user, customers, new_owner, reason=data["reason"])
        return Response({"moved": moved, "new_owner": new_owner.employee_no})

    @extend_schema(request=CoManagerSerializer, responses=CoManagerListSerializer(many=True))
    @action(detail=True, methods=["post"], url_path="co-managers", required_permission="customers.customer:assign")
    def co_managers(self, request, pk=None):
        """Add a co-manager ({"user": employee id}, an employee of an org in the caller's scope);
        answers the customer's co-managers."""
        return self._co_manager_change(request, services.add_co_manager)

    @extend_schema(request=CoManagerSerializer, responses=CoManagerListSerializer(many=True))
    @action(
        detail=True,
        methods=["post"],
        url_path="co-managers/remove",
        required_permission="customers.customer:assign",
    )
    def remove_co_manager(self, request, pk=None):
        """Remove a co-manager ({"user": employee id}); answers the customer's co-managers."""
        return self._co_manager_change(request, services.remove_co_manager)

    def _co_manager_change(self, request, change):
        customer = self.get_object()
        serializer = CoManagerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        change(request.user, customer, serializer.validated_data["user"])
        rows = customer.co_managers.select_related("user").order_by("user__employee_no")
        return Response(CoManagerListSerializer(rows, many=True).data)

    # ------------------------------------------------------------ merging duplicates (CUS-12)

    def _merge_request(self, request):
        from steward.customers.merge_views import resolve_merge

        serializer = MergeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        return resolve_merge(request.user, data["survivor"], [n.strip() for n in data["duplicates"] if n.strip()])

    @extend_schema(request=MergeSerializer, responses=MergePlanSerializer)
    @action(detail=False, methods=["post"], url_path="merge/preview", required_permission=merging.MERGE)
    def merge_preview(self, request):
        """What merging the duplicates into the survivor would move and drop (with the reasons); changes nothing."""
        survivor, duplicates = self._merge_request(request)
        return Response(merging.merge_preview(request.user, duplicates, survivor).as_dict())

    @extend_schema(request=MergeSerializer, responses=MergePlanSerializer)
    @action(detail=False, methods=["post"], url_path="merge", required_permission=merging.MERGE)
    def merge(self, request):
        """Merge the duplicates into the survivor (one transaction); answers what moved and what was dropped."""
        survivor, duplicates = self._merge_request(request)
        return Response(merging.merge_customers(request.user, duplicates, survivor).as_dict())

    @extend_schema(responses=CandidateGroupSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="duplicate-candidates", required_permission=merging.MERGE)
    def duplicate_candidates(self, request):
        """Groups of customers in the caller's scope that look like one person: ?match=id_number
        (same ID number) or name_birth_mobile; paged by ?page= (20 groups a page)."""
        match = request.query_params.get("match", merging.MATCH_ID_NUMBER)
        if match not in merging.MATCHES:
            raise DomainError(_("Unknown kind of match."), field="match")
        page = merging.candidate_page(request.user, match, request.query_params.get("page", 1))
        return Response(
            {
                "count": page.paginator.count,
                "page": page.number,
                "pages": page.paginator.num_pages,
                "results": CandidateGroupSerializer(page.groups, many=True).data,
            }
        )


class OwnershipConflictViewSet(ReadOnlyScopedViewSet):
    """Ownership conflicts with the core-banking file (CUS-09) of the customers in the caller's
    scope; POST …/{id}/resolve/ {"decision": "keep" | "take"} settles one."""

    queryset = OwnershipConflict.objects.all()
    serializer_class = OwnershipConflictSerializer
    http_method_names = ["get", "post", "head", "options"]
    filterset_fields = ["status", "data_date"]

    def required_permission_for(self, request):
        action = getattr(self, "action", None)
        if action in (None, "list", "retrieve", "resolve", "metadata"):
            return mastering.RESOLVE
        # Conflicts are raised by the intake only: any other write names an unregistered permission,
        # so it is not served (405).
        return f"customers.ownership_conflict:{action}"

    def get_queryset(self):
        return super().get_queryset().select_related("customer", "steward_owner", "file_owner")

    @extend_schema(request=ResolveConflictSerializer, responses=OwnershipConflictSerializer)
    @action(detail=True, methods=["post"], required_permission=mastering.RESOLVE)
    def resolve(self, request, pk=None):
        serializer = ResolveConflictSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        conflict = mastering.resolve_conflict(request.user, self.get_object(), serializer.validated_data["decision"])
        return Response(OwnershipConflictSerializer(conflict).data)
