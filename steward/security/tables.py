import django_tables2 as tables
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from steward.core.tables import LocalDateTimeColumn, StewardTable
from steward.org.models import Employee


class SecondFactorTable(StewardTable):
    employee_no = tables.Column(linkify=True, verbose_name=_("employee number"))
    org = tables.Column(verbose_name=_("org"), order_by=("org__path",))
    state = tables.Column(verbose_name=_("second factor"), accessor="enrolled_at", orderable=False, empty_values=())
    required = tables.BooleanColumn(verbose_name=_("required by a role"))
    last_used_at = LocalDateTimeColumn(verbose_name=_("last used at"), default="—")
    reset = tables.Column(verbose_name="", orderable=False, empty_values=(), exclude_from_export=True)
    required_columns = ("employee_no", "reset")

    class Meta(StewardTable.Meta):
        model = Employee
        fields = ("employee_no", "name", "org")

    def render_state(self, value, record):
        if value:
            return format_html('<span class="badge bg-green-lt">{}</span>', _("enrolled"))
        if record.pending:
            return format_html('<span class="badge bg-yellow-lt">{}</span>', _("set-up not finished"))
        return format_html('<span class="badge bg-red-lt">{}</span>', _("not set up"))

    def value_state(self, value, record):
        return _("enrolled") if value else (_("set-up not finished") if record.pending else _("not set up"))

    def render_reset(self, record):
        if not (record.enrolled_at or record.pending):
            return ""
        return format_html(
            '<form method="post" action="{}"><input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<button class="btn btn-sm btn-ghost-danger" data-testid="reset-second-factor">{}</button></form>',
            reverse("security:second_factor_reset", args=[record.pk]),
            get_token(self.request),
            _("Reset"),
        )
