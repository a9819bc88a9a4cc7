from rest_framework import serializers

from steward.imports.models import ImportRejection, ImportRun


class ImportRunSerializer(serializers.ModelSerializer):
    """A run with its counts and progress; the rejected rows are at …/{id}/rejected-rows/."""

    kind_label = serializers.SerializerMethodField()
    mode_label = serializers.CharField(source="get_mode_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    phase_label = serializers.CharField(source="get_phase_display", read_only=True)
    requested_by = serializers.CharField(source="requested_by.employee_no", read_only=True)
    requested_by_name = serializers.CharField(source="requested_by.name", read_only=True)
    progress_percent = serializers.IntegerField(read_only=True, allow_null=True)

    class Meta:
        model = ImportRun
        fields = [
            "id",
            "kind",
            "kind_label",
            "mode",
            "mode_label",
            "status",
            "status_label",
            "phase",
            "phase_label",
            "progress_percent",
            "file_name",
            "file_size",
            "requested_by",
            "requested_by_name",
            "org",
            "checked_run",
            "rows_total",
            "rows_checked",
            "rows_good",
            "rows_rejected",
            "rows_written",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_kind_label(self, run) -> str:
        from steward.imports.registry import importers

        importer = importers.get(run.kind)
        return str(importer.label) if importer is not None and importer.label else run.kind


class ImportRejectionSerializer(serializers.ModelSerializer):
    """A refused row: its physical line in the file (the header is line 1), the column as its header
    reads, and why (in the language of whoever started the run)."""

    class Meta:
        model = ImportRejection
        fields = ["id", "line", "column", "reason"]
        read_only_fields = fields
