from django.utils import timezone
from rest_framework import serializers

from steward.customers.models import Customer, CustomerNote
from steward.org.models import Employee, Org
from steward.privacy.serializers import PiiMaskingSerializerMixin


class CustomerSerializer(PiiMaskingSerializerMixin, serializers.ModelSerializer):
    org = serializers.PrimaryKeyRelatedField(queryset=Org.objects.all())
    owner_name = serializers.CharField(source="owner.name", read_only=True, default=None, allow_null=True)
    age = serializers.SerializerMethodField()
    # The derived figures live in customer.figures (one narrow row per customer).
    figures_as_of = serializers.DateField(source="figures.as_of", read_only=True, allow_null=True)
    aum = serializers.DecimalField(max_digits=20, decimal_places=2, source="figures.aum", read_only=True)
    avg_daily_assets_month = serializers.DecimalField(
        max_digits=20, decimal_places=2, source="figures.avg_daily_assets_month", read_only=True
    )
    avg_daily_assets_quarter = serializers.DecimalField(
        max_digits=20, decimal_places=2, source="figures.avg_daily_assets_quarter", read_only=True
    )
    avg_daily_assets_year = serializers.DecimalField(
        max_digits=20, decimal_places=2, source="figures.avg_daily_assets_year", read_only=True
    )
    contribution_ytd = serializers.DecimalField(
        max_digits=20, decimal_places=2, source="figures.contribution_ytd", read_only=True
    )
    tier = serializers.CharField(source="figures.tier", read_only=True)

    class Meta:
        model = Customer
        fields = [
            "id",
            "cif",
            "name",
            "id_type",
            "id_number",
            "birth_date",
            "age",
            "gender",
            "mobile",
            "mobile_province",
            "mobile_city",
            "mobile_carrier",
            "email",
            "address",
            "occupation",
            "education",
            "income_band",
            "risk_level",
            "risk_expires_on",
            "kyc_status",
            "source",
            "status",
            "sms_subscribed",
            "phone_notice_subscribed",
            "email_subscribed",
            "org",
            "owner",
            "owner_name",
            "is_confidential",
            "figures_as_of",
            "aum",
            "avg_daily_assets_month",
            "avg_daily_assets_quarter",
            "avg_daily_assets_year",
            "tier",
            "contribution_ytd",
        ]
        read_only_fields = [
            "mobile_province",
            "mobile_city",
            "mobile_carrier",
            "is_confidential",
        ]
        extra_kwargs = {"id_number": {"required": True}, "owner": {"required": False}}

    def get_age(self, obj) -> int | None:
        return obj.age_on(timezone.localdate())

    def validate(self, attrs):
        return attrs  # the customer services validate (ID checksum, mobile, code tables)

    def run_validators(self, value):
        pass  # the unique CIF check is the service's, with its message


class NoteMentionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="user.pk", read_only=True)
    employee_no = serializers.CharField(source="user.employee_no", read_only=True)
    name = serializers.CharField(source="user.name", read_only=True)


class CustomerNoteSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.name", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    mentions = NoteMentionSerializer(
        many=True,
        read_only=True,
        help_text="Colleagues the note @mentions by employee number (e.g. @A1024 in the body); each was notified (SVC-12).",
    )

    class Meta:
        model = CustomerNote
        fields = [
            "id",
            "customer",
            "customer_name",
            "author",
            "author_name",
            "body",
            "is_private",
            "created_at",
            "mentions",
        ]
        read_only_fields = ["customer", "author", "created_at"]


class TransferRequestSerializer(serializers.Serializer):
    customers = serializers.ListField(child=serializers.CharField(), allow_empty=False)
    new_owner = serializers.CharField(help_text="Employee number of the new relationship manager")
    reason = serializers.CharField()


class ConfidentialSerializer(serializers.Serializer):
    confidential = serializers.BooleanField()


class AssignSerializer(serializers.Serializer):
    customers = serializers.ListField(child=serializers.CharField(), allow_empty=False)
    new_owner = serializers.CharField(help_text="Employee number of the new relationship manager")
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class CoManagerSerializer(serializers.Serializer):
    user = serializers.PrimaryKeyRelatedField(
        queryset=Employee.objects.all(), help_text="Employee id of the co-manager to add or remove"
    )


class CoManagerListSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="user.pk")
    employee_no = serializers.CharField(source="user.employee_no")
    name = serializers.CharField(source="user.name")


class ConfidentialGrantRequestSerializer(serializers.Serializer):
    """Grant (or re-date) an employee's access to a confidential customer (CUS-10)."""

    user = serializers.PrimaryKeyRelatedField(queryset=Employee.objects.all(), help_text="Employee id of the grantee")
    expires_on = serializers.DateField(
        required=False, allow_null=True, help_text="Last day of access; empty or absent: until revoked"
    )


class ConfidentialRevokeSerializer(serializers.Serializer):
    user = serializers.PrimaryKeyRelatedField(
        queryset=Employee.objects.all(), help_text="Employee id whose access grant is revoked"
    )


class ConfidentialGrantSerializer(serializers.Serializer):
    """One access grant of a confidential customer; `in_force` is false once its last day has passed."""

    id = serializers.IntegerField(source="user.pk")
    employee_no = serializers.CharField(source="user.employee_no")
    name = serializers.CharField(source="user.name")
    granted_by = serializers.CharField(source="granted_by.employee_no", default=None)
    granted_at = serializers.DateTimeField()
    expires_on = serializers.DateField(allow_null=True)
    in_force = serializers.SerializerMethodField()

    def get_in_force(self, grant) -> bool:
        return grant.is_in_force()


class MergeSerializer(serializers.Serializer):
    """A merge of duplicates into one survivor (CUS-12), named by customer numbers (or ids)."""

    survivor = serializers.CharField(help_text="Customer number of the customer that remains")
    duplicates = serializers.ListField(
        child=serializers.CharField(),
        allow_empty=False,
        max_length=50,
        help_text="Customer numbers of the duplicates merged into the survivor",
    )


class MergeKindSerializer(serializers.Serializer):
    kind = serializers.CharField()
    label = serializers.CharField()
    moved = serializers.IntegerField()
    dropped = serializers.IntegerField()
    reason = serializers.CharField()


class MergePlanSerializer(serializers.Serializer):
    survivor = serializers.CharField()
    duplicates = serializers.ListField(child=serializers.CharField())
    kinds = MergeKindSerializer(many=True)


class CandidateMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    cif = serializers.CharField()
    name = serializers.CharField()
    org = serializers.CharField(source="org.name")
    owner = serializers.CharField(source="owner.name", default=None, allow_null=True)


class CandidateGroupSerializer(serializers.Serializer):
    match = serializers.CharField()
    members = CandidateMemberSerializer(many=True)


class OwnershipConflictSerializer(serializers.ModelSerializer):
    cif = serializers.CharField(source="customer.cif", read_only=True)
    steward_owner = serializers.CharField(source="steward_owner.employee_no", default=None, read_only=True)
    file_owner = serializers.CharField(source="file_owner.employee_no", default=None, read_only=True)
    source_label = serializers.CharField(read_only=True)

    class Meta:
        from steward.customers.models import OwnershipConflict

        model = OwnershipConflict
        fields = [
            "id",
            "customer",
            "cif",
            "steward_owner",
            "file_owner",
            "source",
            "source_label",
            "data_date",
            "intake_batch_id",
            "status",
            "detected_at",
            "resolved_at",
        ]
        read_only_fields = fields


class ResolveConflictSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=[("keep", "keep Steward's owner"), ("take", "take the file's owner")],
        help_text="keep: Steward's owner stays; take: the file's owner becomes the owner (with history)",
    )
