from rest_framework import serializers

from steward.org.models import Employee, GradeChange, Org
from steward.privacy.serializers import PiiMaskingSerializerMixin


class OrgSerializer(serializers.ModelSerializer):
    parent = serializers.PrimaryKeyRelatedField(queryset=Org.objects.all(), allow_null=True, required=False)

    class Meta:
        model = Org
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "parent",
            "path",
            "depth",
            "is_active",
            "address",
            "phone",
            "business_hours",
            "latitude",
            "longitude",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["path", "depth", "is_active", "created_at", "updated_at"]


class OrgMoveSerializer(serializers.Serializer):
    new_parent = serializers.PrimaryKeyRelatedField(queryset=Org.objects.all())


class GradeChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = GradeChange
        fields = [
            "id",
            "from_level",
            "to_level",
            "from_tier",
            "to_tier",
            "note",
            "effective_on",
            "changed_by",
            "changed_at",
        ]
        read_only_fields = fields


class EmployeeSerializer(PiiMaskingSerializerMixin, serializers.ModelSerializer):
    org = serializers.PrimaryKeyRelatedField(queryset=Org.objects.all())
    org_name = serializers.CharField(source="org.name", read_only=True)
    password = serializers.CharField(write_only=True, required=False, allow_blank=True)

    class Meta:
        model = Employee
        fields = [
            "id",
            "employee_no",
            "name",
            "org",
            "org_name",
            "position",
            "level",
            "tier",
            "allocation_weight",
            "status",
            "mobile",
            "id_number",
            "email",
            "hired_on",
            "left_at",
            "language",
            "is_active",
            "last_login",
            "password",
        ]
        read_only_fields = ["level", "tier", "status", "left_at", "is_active", "last_login"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None and not isinstance(self.instance, list):
            # Org changes through the move action; the login never changes.
            fields["org"].read_only = True
            fields["employee_no"].read_only = True
        return fields


class EmployeeStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Employee.Status.choices)


class EmployeeGradeSerializer(serializers.Serializer):
    level = serializers.CharField(max_length=30)
    tier = serializers.CharField(max_length=30)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)
    effective_on = serializers.DateField(required=False)


class EmployeeMoveSerializer(serializers.Serializer):
    new_org = serializers.PrimaryKeyRelatedField(queryset=Org.objects.all())
