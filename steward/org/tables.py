import django_tables2 as tables
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from steward.core.tables import CodeLabelColumn, LocalDateTimeColumn, StewardTable
from steward.org.models import Employee, Org, UserSession


class OrgTable(StewardTable):
    name = tables.Column(verbose_name=_("name"))  # render_name draws the (indented) link
    parent = tables.Column(verbose_name=_("parent org"))
    required_columns = ("name",)
    _visible_ids = None

    class Meta(StewardTable.Meta):
        model = Org
        fields = ("code", "name", "kind", "parent", "phone", "address", "is_active")
        order_by = ("path",)

    def render_name(self, value, record):
        indent = mark_safe("&nbsp;" * 4 * record.depth)  # a constant, never user input
        return format_html('{}<a href="{}">{}</a>', indent, record.get_absolute_url(), value)

    def value_name(self, value, record):
        return value

    def render_parent(self, value, record):
        # The parent of a scope's top org lies outside the scope: its name is not shown.
        if self._visible_ids is None:
            user = self.request.user if self.request else None
            self._visible_ids = set(Org.objects.visible_to(user, "org.org:view").values_list("pk", flat=True))
        return value.name if record.parent_id in self._visible_ids else "—"

    value_parent = render_parent


class BranchTable(StewardTable):
    name = tables.Column(linkify=True, verbose_name=_("name"))
    required_columns = ("name",)

    class Meta(StewardTable.Meta):
        model = Org
        fields = ("code", "name", "kind", "address", "phone", "business_hours", "latitude", "longitude")


class EmployeeTable(StewardTable):
    employee_no = tables.Column(linkify=True, verbose_name=_("employee number"))
    org = tables.Column(verbose_name=_("org"), order_by=("org__path",))
    position = CodeLabelColumn("employee_position", verbose_name=_("position"))
    level = CodeLabelColumn("employee_level", verbose_name=_("level"))
    tier = CodeLabelColumn("employee_tier", verbose_name=_("tier"))
    last_login = LocalDateTimeColumn(verbose_name=_("last login"))
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


class OnlineUserTable(StewardTable):
    user = tables.Column(linkify=lambda record: record.user.get_absolute_url(), verbose_name=_("employee"))
    org = tables.Column(accessor="user__org", verbose_name=_("org"), orderable=False)
    # The session model's fields carry no names of their own: the headers name them (PLT-12).
    ip_address = tables.Column(verbose_name=_("IP address"))
    started_at = LocalDateTimeColumn(verbose_name=_("logged in at"))
    last_seen = LocalDateTimeColumn(verbose_name=_("last seen"))
    user_agent = tables.Column(verbose_name=_("browser"))
    required_columns = ("user",)

    class Meta(StewardTable.Meta):
        model = UserSession
        fields = ("user", "org", "ip_address", "started_at", "last_seen", "user_agent")
        order_by = ("-last_seen",)
