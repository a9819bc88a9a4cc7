import django_tables2 as tables
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from steward.core.tables import StewardTable
from steward.leads.models import Lead, RegionRoute


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


class ClaimableLeadTable(StewardTable):
    """Leads waiting in the pools the user may claim from, each with its Claim button."""

    name = tables.Column(verbose_name=_("name"))
    pool = tables.Column(verbose_name=_("pool"), accessor="pool__name")
    pooled_at = tables.DateTimeColumn(verbose_name=_("in the pool since"), format="Y-m-d H:i")
    claim = tables.Column(verbose_name="", accessor="pk", orderable=False, exclude_from_export=True)
    required_columns = ("name", "claim")

    class Meta(StewardTable.Meta):
        model = Lead
        fields = (
            "name",
            "mobile",
            "mobile_province",
            "mobile_city",
            "source",
            "channel",
            "campaign",
            "pool",
            "pooled_at",
        )

    def render_claim(self, value, record):
        return format_html(
            '<form method="post" action="{}" class="m-0"><input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<button class="btn btn-sm btn-primary" data-testid="claim">{}</button></form>',
            reverse("leads:claim", args=[record.pk]),
            get_token(self.request),
            _("Claim"),
        )


class RegionRouteTable(StewardTable):
    province = tables.Column(verbose_name=_("province"), linkify=True)
    city = tables.Column(verbose_name=_("city"), default="—")
    org = tables.Column(verbose_name=_("receiving org"), accessor="org__name")
    remove = tables.Column(verbose_name="", accessor="pk", orderable=False, exclude_from_export=True)
    required_columns = ("province", "remove")

    class Meta(StewardTable.Meta):
        model = RegionRoute
        fields = ("province", "city", "org")

    def before_render(self, request):
        from steward.access.services import has_permission
        from steward.leads.permissions import ROUTE_CHANGE

        # The Remove button only for those who may change the table.
        if not has_permission(request.user, ROUTE_CHANGE):
            self.columns.hide("remove")

    def render_remove(self, value, record):
        return format_html(
            '<form method="post" action="{}" class="m-0"><input type="hidden" name="csrfmiddlewaretoken" value="{}">'
            '<button class="btn btn-sm btn-ghost-danger" data-testid="remove-route">{}</button></form>',
            reverse("leads:region_delete", args=[record.pk]),
            get_token(self.request),
            _("Remove"),
        )
