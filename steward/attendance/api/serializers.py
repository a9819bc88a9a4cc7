from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from steward.attendance.measures import measure_choices
from steward.attendance.models import AttendanceDay, Quota


class AttendanceDaySerializer(serializers.ModelSerializer):
    """A recorded day of one employee (no row: normal attendance)."""

    status_label = serializers.CharField(source="get_status_display", read_only=True)
    employee_name = serializers.CharField(source="employee.name", read_only=True)
    recorded_by_name = serializers.CharField(source="recorded_by.name", read_only=True, default="")

    class Meta:
        model = AttendanceDay
        fields = [
            "id",
            "employee",
            "employee_name",
            "date",
            "status",
            "status_label",
            "note",
            "recorded_by",
            "recorded_by_name",
            "recorded_at",
        ]
        read_only_fields = fields


class AttendanceRecordSerializer(serializers.Serializer):
    """Attendance of one employee or many, for one day or a range (both days included)."""

    employees = serializers.ListField(child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), min_length=1)
    start = serializers.DateField()
    end = serializers.DateField(required=False, allow_null=True, help_text=_("Empty: the first day only."))
    status = serializers.ChoiceField(choices=AttendanceDay.Status.choices)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class AttendanceRecordedSerializer(serializers.Serializer):
    recorded = serializers.IntegerField(help_text="person-days written")


class QuotaSerializer(serializers.ModelSerializer):
    measure = serializers.ChoiceField(choices=[])
    measure_label = serializers.CharField(read_only=True)
    org_name = serializers.CharField(source="org.name", read_only=True)

    class Meta:
        model = Quota
        fields = [
            "id",
            "measure",
            "measure_label",
            "org",
            "org_name",
            "level",
            "tier",
            "daily_target",
            "active_from",
            "active_to",
            "created_at",
        ]
        read_only_fields = ["id", "measure_label", "org_name", "created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["measure"].choices = measure_choices()


class MeasureProgressSerializer(serializers.Serializer):
    measure = serializers.CharField()
    label = serializers.CharField()
    done = serializers.IntegerField()
    target = serializers.IntegerField()
    met = serializers.BooleanField()


class DayStatusSerializer(serializers.Serializer):
    employee = serializers.IntegerField()
    date = serializers.DateField()
    state = serializers.ChoiceField(
        choices=["complete", "short", "open", "leave", "holiday", "not_working_day", "no_quota"]
    )
    state_label = serializers.CharField()
    complete = serializers.BooleanField()
    attendance = serializers.CharField(help_text="the attendance status of the day (attendance-days/ status)")
    attendance_label = serializers.CharField()
    holiday = serializers.CharField()
    measures = MeasureProgressSerializer(many=True)
