import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from steward.basedata.services import code_label
from steward.core.tables import StewardTable
from steward.org.models import Employee, Org, UserSession


class OrgTable(StewardTable):
    name = tables.Column(linkify=True, verbose_name=_("name"))
    parent = tables.Column(verbose_name=_("parent org"))
    required_columns = ("name",)

    class Meta(StewardTable.Meta):
        model = Org
        fields = ("code", "name", "kind", "parent", "phone", "address", "is_active")
        order_by = ("path",)

    def render_name(self, value, record):
        indent = "&nbsp;" * 4 * record.depth
        return format_html('{}<a href="{}">{}</a>', format_html(indent), record.get_absolute_url(), value)

    def value_name(self, value, record):
        return value


class BranchTable(StewardTable):
    name = tables.Column(linkify=True, verbose_name=_("name"))
    required_columns = ("name",)

    class Meta(StewardTable.Meta):
        model = Org
        fields = ("code", "name", "kind", "address", "phone", "business_hours", "latitude", "longitude")


class EmployeeTable(StewardTable):
    employee_no = tables.Column(linkify=True, verbose_name=_("employee number"))
    org = tables.Column(verbose_name=_("org"), order_by=("org__path",))
    required_columns = ("employee_no",)

    class Meta(StewardTable.Meta):
        model = Employee
        fields = (
            "employee_no",
            "name",
            "org",
            "position",
            "level",
            "tier",
            "allocation_weight",
            "status",
            "mobile",
            "last_login",
        )

    def render_position(self, value):
        return code_label("employee_position", value)

    def render_level(self, value):
        return code_label("employee_level", value)

    def render_tier(self, value):
        return code_label("employee_tier", value)

    value_position = render_position
    value_level = render_level
    value_tier = render_tier


class OnlineUserTable(StewardTable):
    user = tables.Column(linkify=lambda record: record.user.get_absolute_url(), verbose_name=_("employee"))
    org = tables.Column(accessor="user__org", verbose_name=_("org"), orderable=False)
    required_columns = ("user",)

    class Meta(StewardTable.Meta):
        model = UserSession
        fields = ("user", "org", "ip_address", "started_at", "last_seen", "user_agent")
        order_by = ("-last_seen",)
