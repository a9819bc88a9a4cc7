import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from steward.core.tables import StewardTable
from steward.leads.models import Lead


class LeadTable(StewardTable):
    name = tables.Column(verbose_name=_("name"), linkify=True)
    org = tables.Column(verbose_name=_("org"), accessor="org__name")
    pool = tables.Column(verbose_name=_("pool"), accessor="pool__name", default="—")
    holder = tables.Column(verbose_name=_("holder"), accessor="holder__name", default="—")
    customer = tables.Column(verbose_name=_("existing customer"), accessor="customer__cif", default="—")
    created_at = tables.DateTimeColumn(verbose_name=_("created at"), format="Y-m-d H:i")
    required_columns = ("name",)

    class Meta(StewardTable.Meta):
        model = Lead
        fields = (
            "name",
            "mobile",
            "mobile_province",
            "mobile_city",
            "stage",
            "source",
            "channel",
            "campaign",
            "org",
            "pool",
            "holder",
            "customer",
            "created_at",
        )
