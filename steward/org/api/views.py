from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from steward.core.api import ScopedModelViewSet
from steward.org import services
from steward.org.api.serializers import (
    EmployeeGradeSerializer,
    EmployeeMoveSerializer,
    EmployeeSerializer,
    EmployeeStatusSerializer,
    GradeChangeSerializer,
    OrgMoveSerializer,
    OrgSerializer,
)
from steward.org.filters import EmployeeFilterSet, OrgFilterSet
from steward.org.models import Employee, Org


class OrgViewSet(ScopedModelViewSet):
    """Org tree nodes and branch details; writes call the org services."""

    queryset = Org.objects.all()
    serializer_class = OrgSerializer
    permission_base = "org.org"
    filterset_class = OrgFilterSet
    ordering_fields = ["path", "code", "name"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.create_org(self.request.user, parent=data.pop("parent", None), **data)

    def perform_update(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k != "parent"}
        serializer.instance = services.update_org(self.request.user, serializer.instance, **data)

    @extend_schema(request=OrgMoveSerializer, responses=OrgSerializer)
    @action(detail=True, methods=["post"], required_permission="org.org:change")
    def move(self, request, pk=None):
        org = self.get_object()
        payload = OrgMoveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        org = services.move_org(request.user, org, payload.validated_data["new_parent"])
        return Response(OrgSerializer(org).data)

    @extend_schema(request=None, responses=OrgSerializer)
    @action(detail=True, methods=["post"], required_permission="org.org:change")
    def deactivate(self, request, pk=None):
        return Response(OrgSerializer(services.set_org_active(request.user, self.get_object(), False)).data)

    @extend_schema(request=None, responses=OrgSerializer)
    @action(detail=True, methods=["post"], required_permission="org.org:change")
    def reactivate(self, request, pk=None):
        return Response(OrgSerializer(services.set_org_active(request.user, self.get_object(), True)).data)


class EmployeeViewSet(ScopedModelViewSet):
    """Employees (the login is the employee number). Leaving is `POST …/status/ {"status": "left"}`."""

    queryset = Employee.objects.all()
    serializer_class = EmployeeSerializer
    permission_base = "org.employee"
    filterset_class = EmployeeFilterSet
    select_related = ("org",)
    ordering_fields = ["employee_no", "name", "org__path"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.create_employee(
            self.request.user,
            employee_no=data.pop("employee_no"),
            org=data.pop("org"),
            password=data.pop("password", None) or None,
            **data,
        )

    def perform_update(self, serializer):
        data = {k: v for k, v in serializer.validated_data.items() if k not in {"password", "org", "employee_no"}}
        serializer.instance = services.update_employee(self.request.user, serializer.instance, **data)

    @extend_schema(request=EmployeeStatusSerializer, responses=EmployeeSerializer)
    @action(detail=True, methods=["post"], required_permission="org.employee:change")
    def status(self, request, pk=None):
        payload = EmployeeStatusSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        employee = services.set_employee_status(request.user, self.get_object(), payload.validated_data["status"])
        return Response(EmployeeSerializer(employee).data)

    @extend_schema(request=EmployeeGradeSerializer, responses=GradeChangeSerializer)
    @action(detail=True, methods=["post"], required_permission="org.employee:grade")
    def grade(self, request, pk=None):
        employee = self.get_object()  # out of scope: 404 whatever the body says
        payload = EmployeeGradeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        change = services.change_grade(request.user, employee, **payload.validated_data)
        return Response(GradeChangeSerializer(change).data, status=201)

    @extend_schema(request=EmployeeMoveSerializer, responses=EmployeeSerializer)
    @action(detail=True, methods=["post"], required_permission="org.employee:change")
    def move(self, request, pk=None):
        employee = self.get_object()  # out of scope: 404 whatever the body says
        payload = EmployeeMoveSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        employee = services.move_employee(request.user, employee, payload.validated_data["new_org"])
        return Response(EmployeeSerializer(employee).data)

    @extend_schema(responses=GradeChangeSerializer(many=True))
    @action(detail=True, methods=["get"], required_permission="org.employee:view")
    def grades(self, request, pk=None):
        return Response(GradeChangeSerializer(self.get_object().grade_changes.all(), many=True).data)
