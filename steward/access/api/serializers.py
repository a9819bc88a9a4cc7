from rest_framework import serializers

from steward.access.models import Role, RoleAssignment
from steward.access.registry import registry
from steward.org.models import Employee, Org


class RoleSerializer(serializers.ModelSerializer):
    permissions = serializers.ListField(
        child=serializers.ChoiceField(choices=sorted(registry.permissions)), required=False
    )

    class Meta:
        model = Role
        fields = [
            "id",
            "code",
            "name",
            "name_en",
            "description",
            "default_scope",
            "is_active",
            "require_second_factor",
            "permissions",
        ]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        data["permissions"] = sorted(instance.permission_names())
        return data


class RoleAssignmentSerializer(serializers.ModelSerializer):
    user = serializers.PrimaryKeyRelatedField(queryset=Employee.objects.all())
    role = serializers.PrimaryKeyRelatedField(queryset=Role.objects.all())
    org = serializers.PrimaryKeyRelatedField(queryset=Org.objects.all())

    class Meta:
        model = RoleAssignment
        fields = [
            "id",
            "user",
            "role",
            "org",
            "scope",
            "granted_at",
            "granted_by",
            "ended_at",
            "ended_by",
            "end_reason",
        ]
        read_only_fields = ["granted_at", "granted_by", "ended_at", "ended_by", "end_reason"]


class PermissionSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()
    group = serializers.CharField()
    kind = serializers.CharField()


class GrantableSerializer(serializers.Serializer):
    roles = serializers.ListField(child=serializers.IntegerField())
    scopes = serializers.ListField(child=serializers.CharField())
    orgs = serializers.ListField(child=serializers.IntegerField())
