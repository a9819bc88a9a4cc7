import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from steward.holdings.intake import ENTITY_ORDER
from steward.holdings.models import ImportantDate, IntakeBatch, IntakeDay, IntakeRejectedRow, Reminder
from steward.holdings.reasons import shown_reason


class IntakeBatchSerializer(serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    # Why the file was refused, failed or held, in the caller's language.
    error = serializers.SerializerMethodField()

    class Meta:
        model = IntakeBatch
        fields = [
            "id",
            "source",
            "entity",
            "data_date",
            "part",
            "status",
            "status_label",
            "file_name",
            "rows_read",
            "rows_loaded",
            "rows_rejected",
            "error",
            "runs",
            "started_at",
            "finished_at",
        ]

    def get_error(self, batch) -> str:
        return shown_reason(batch.error)


class IntakeRejectedRowSerializer(serializers.ModelSerializer):
    """A quarantined row: its file, the physical line in the file, why, and the row as delivered
    with its personal data masked (it is stored masked; there is no unmasked copy)."""

    source = serializers.CharField(source="batch.source", read_only=True)
    entity = serializers.CharField(source="batch.entity", read_only=True)
    data_date = serializers.DateField(source="batch.data_date", read_only=True)
    reason = serializers.SerializerMethodField()

    class Meta:
        model = IntakeRejectedRow
        fields = ["id", "batch", "source", "entity", "data_date", "line", "reason", "raw"]
        read_only_fields = fields

    def get_reason(self, row) -> str:
        return shown_reason(row.reason)


class IntakeUploadSerializer(serializers.Serializer):
    entity = serializers.ChoiceField(choices=ENTITY_ORDER)
    data_date = serializers.DateField()
    source = serializers.CharField(default="core", max_length=30)
    file = serializers.FileField()
    # False (default): an intra-day part whose rows are added to the day (DAT-07); True: the
    # source's full file of the day, replacing its earlier delivery.
    replace = serializers.BooleanField(default=False)


class IntakeDaySerializer(serializers.ModelSerializer):
    """A data date's figures state: waiting (for `waiting_for`), pending or derived."""

    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = IntakeDay
        fields = ["id", "data_date", "state", "state_label", "waiting_for", "derived_at", "updated_at"]


class ConfirmHeldSerializer(serializers.Serializer):
    source = serializers.CharField(max_length=30)
    data_date = serializers.DateField()


class ReminderSerializer(serializers.ModelSerializer):
    """A reminder of the reminder centre (SVC-03). `state` is the state as read today (a snoozed
    reminder whose date has come reads `open`); `current_owner` is the customer's owner now, whom
    the reminder follows; `owner` is whom it was raised for."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    customer_number = serializers.CharField(source="customer.cif", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    current_owner = serializers.IntegerField(source="customer.owner_id", read_only=True, allow_null=True)
    text = serializers.CharField(source="shown_text", read_only=True)
    state = serializers.SerializerMethodField()
    state_label = serializers.SerializerMethodField()
    acted_by_name = serializers.CharField(source="acted_by.name", read_only=True, default="")

    class Meta:
        model = Reminder
        fields = [
            "id",
            "kind",
            "kind_label",
            "customer",
            "customer_number",
            "customer_name",
            "current_owner",
            "owner",
            "subject",
            "due_on",
            "data_date",
            "amount",
            "text",
            "state",
            "state_label",
            "snoozed_until",
            "acted_by",
            "acted_by_name",
            "acted_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_state(self, reminder) -> str:
        return reminder.state_on(timezone.localdate())

    def get_state_label(self, reminder) -> str:
        return str(reminder.shown_state(timezone.localdate()))


class ReminderActSerializer(serializers.Serializer):
    """POST reminders/{id}/act/: `done`, `dismiss`, `reopen`, or `snooze` with `until` (a date after
    today) or `snooze` "1d" / "1w"."""

    action = serializers.ChoiceField(choices=["done", "dismiss", "snooze", "reopen"])
    snooze = serializers.ChoiceField(choices=["1d", "1w", "date"], required=False)
    until = serializers.DateField(required=False)


class ImportantDateSerializer(serializers.ModelSerializer):
    """A customer's important date (SVC-03): yearly or once; its reminder comes before it."""

    customer = serializers.IntegerField(source="customer_id", min_value=1, max_value=2**63 - 1)
    customer_number = serializers.CharField(source="customer.cif", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    label = serializers.CharField(max_length=100)
    next_occurrence = serializers.SerializerMethodField()

    class Meta:
        model = ImportantDate
        fields = [
            "id",
            "customer",
            "customer_number",
            "customer_name",
            "date",
            "label",
            "yearly",
            "next_occurrence",
            "created_by",
            "created_at",
        ]
        read_only_fields = ["created_by", "created_at"]

    def validate_date(self, value):
        if not (dt.date(1900, 1, 1) <= value <= dt.date(2200, 12, 31)):
            raise serializers.ValidationError(_("Give a date between 1900 and 2200."))
        return value

    def get_next_occurrence(self, important) -> dt.date | None:
        return important.next_on_or_after(timezone.localdate())
