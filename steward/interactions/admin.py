"""Django admin for the interaction record: read-only, within the data scope of the contact list
(SVC-05). Contacts are written by the services only (manual entry, the channel and CTI feeds)."""

from django.contrib import admin

from steward.access.admin import SystemWrittenAdmin
from steward.interactions.models import Interaction
from steward.interactions.permissions import VIEW


@admin.register(Interaction)
class InteractionAdmin(SystemWrittenAdmin):
    list_display = ("occurred_at", "customer", "channel", "direction", "outcome", "is_contact", "employee", "source")
    list_filter = ("channel", "direction", "outcome", "source", "is_contact")
    list_select_related = ("customer", "employee")
    search_fields = ("customer__cif", "external_ref")
    date_hierarchy = "occurred_at"
    raw_id_fields = ("customer", "employee", "created_by")
    view_permission = VIEW
