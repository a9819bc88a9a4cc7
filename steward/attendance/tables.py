import django_tables2 as tables
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from steward.attendance.models import AttendanceDay, Quota
from steward.core.tables import CodeLabelColumn, StewardTable


class AttendanceDayTable(StewardTable):
    date = tables.DateColumn(verbose_name=_("date"), format="Y-m-d")
    employee = tables.Column(verbose_name=_("employee"), accessor="employee__name")
    employee_no = tables.Column(verbose_name=_("employee number"), accessor="employee__employee_no")
    org = tables.Column(verbose_name=_("org"), accessor="employee__org__name")
    recorded_by = tables.Column(verbose_name=_("recorded by"), accessor="recorded_by__name", default="—")
    recorded_at = tables.DateTimeColumn(verbose_name=_("recorded at"), format="Y-m-d H:i")
    remove = tables.Column(verbose_name="", accessor="pk", orderable=False, exclude_from_export=True)
    required_columns = ("date", "employee", "remove")

    class Meta(StewardTable.Meta):
        model = AttendanceDay
        fields = ("date", "employee", "employee_no", "org", "status", "note", "recorded_by", "recorded_at")

    def before_render(self, request):
        from steward.access.services import has_permission
        from steward.attendance.permissions import ATTENDANCE_CHANGE

        # The Remove button only for those who may record attendance.
        if not has_permission(request.user, ATTENDANCE_CHANGE):
            self.columns.hide("remove")

    def render_remove(self, value, record):
        return format_html(
            '<form method="post" action="{}" class="m-0"><input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<button class="btn btn-sm btn-ghost-danger" data-testid="remove-attendance">{}</button></form>',
            reverse("attendance:delete", args=[record.pk]),
            get_token(self.request),
            _("Back to normal"),
        )


class QuotaTable(StewardTable):
    measure = tables.Column(verbose_name=_("measure"), accessor="measure_label", order_by=("measure",))
    org = tables.Column(verbose_name=_("org"), accessor="org__name")
    level = CodeLabelColumn("employee_level", verbose_name=_("employee level"), default="—")
    tier = CodeLabelColumn("employee_tier", verbose_name=_("employee tier"), default="—")
    active_to = tables.DateColumn(verbose_name=_("active to"), format="Y-m-d", default="—")
    active_from = tables.DateColumn(verbose_name=_("active from"), format="Y-m-d")
    required_columns = ("measure",)

    class Meta(StewardTable.Meta):
        model = Quota
        fields = ("measure", "org", "level", "tier", "daily_target", "active_from", "active_to")

    def before_render(self, request):
        from steward.attendance.permissions import QUOTA_CHANGE

        # A quota set above the reader's scope (head office's, read by a branch) is shown, not linked.
        self._editable = set(Quota.objects.visible_to(request.user, QUOTA_CHANGE).values_list("pk", flat=True))

    def render_measure(self, value, record):
        if record.pk in getattr(self, "_editable", ()):
            return format_html('<a href="{}">{}</a>', record.get_absolute_url(), value)
        return value
