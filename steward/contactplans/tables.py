import django_tables2 as tables
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from steward.contactplans.models import ContactPlan
from steward.core.tables import StewardTable


class ContactPlanTable(StewardTable):
    planned_at = tables.DateTimeColumn(verbose_name=_("planned for"), format="Y-m-d H:i", linkify=True)
    customer = tables.Column(verbose_name=_("customer"), accessor="customer__name", order_by=("customer__cif",))
    cif = tables.Column(verbose_name=_("customer number"), accessor="customer__cif")
    owner = tables.Column(verbose_name=_("relationship manager"), accessor="owner__name")
    required_columns = ("planned_at",)

    class Meta(StewardTable.Meta):
        model = ContactPlan
        fields = ("planned_at", "customer", "cif", "channel", "purpose", "owner", "status")

    def render_status(self, value, record):
        if record.is_overdue:
            return format_html('<span class="badge bg-danger-lt" data-testid="overdue">{}</span>', _("Overdue"))
        return value
