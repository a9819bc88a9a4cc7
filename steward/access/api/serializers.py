from rest_framework import serializers

from steward.access.models import ApiToken, Role, RoleAssignment
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


class ApiTokenSerializer(serializers.ModelSerializer):
    """A token as listed: never its key (only a hash is stored); ``state`` says whether it still works."""

    state = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "user",
            "name",
            "prefix",
            "created_at",
            "created_by",
            "last_used_at",
            "expires_at",
            "revoked_at",
            "revoked_by",
            "revoke_reason",
            "replaced_by",
            "state",
        ]
        read_only_fields = fields

    def get_state(self, token) -> str:
        from steward.access.services import token_state

        return token_state(token)


class ApiTokenIssueSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    expires_in_days = serializers.IntegerField(min_value=1, required=False)


class ApiTokenIssuedSerializer(ApiTokenSerializer):
    """The answer to issuing or rotating: the token plus its key, shown this once."""

    key = serializers.SerializerMethodField()

    class Meta(ApiTokenSerializer.Meta):
        fields = [*ApiTokenSerializer.Meta.fields, "key"]
        read_only_fields = fields

    def get_key(self, token) -> str:
        return self.context["key"]


class ApiTokenRevokeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
