"""Django admin for the interaction record: read-only, within the data scope of the contact list
(SVC-05). Contacts are written by the services only (manual entry, the channel and CTI feeds)."""

from django.contrib import admin

from steward.access.admin import SystemWrittenAdmin
from steward.interactions.models import CallRecord, Interaction
from steward.interactions.permissions import CALL_VIEW, VIEW


@admin.register(Interaction)
class InteractionAdmin(SystemWrittenAdmin):
    list_display = ("occurred_at", "customer", "channel", "direction", "outcome", "is_contact", "employee", "source")
    list_filter = ("channel", "direction", "outcome", "source", "is_contact")
    list_select_related = ("customer", "employee")
    search_fields = ("customer__cif", "external_ref")
    date_hierarchy = "occurred_at"
    raw_id_fields = ("customer", "employee", "created_by")
    view_permission = VIEW


@admin.register(CallRecord)
class CallRecordAdmin(SystemWrittenAdmin):
    """The call centre's calls, read-only (no number is stored: only its masked form)."""

    list_display = ("started_at", "call_id", "direction", "outcome", "number_masked", "status", "reason", "source")
    list_filter = ("status", "reason", "source", "direction", "outcome")
    list_select_related = ("customer", "employee")
    search_fields = ("call_id",)
    date_hierarchy = "started_at"
    raw_id_fields = ("customer", "employee")
    view_permission = CALL_VIEW
