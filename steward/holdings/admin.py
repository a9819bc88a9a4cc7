"""Django admin for what the daily intake writes (DAT-01): read-only, bank-wide to holders of the
intake view permission, like the Data intake page."""

from django.contrib import admin

from steward.access.admin import SystemWrittenAdmin
from steward.holdings.models import IntakeDay


@admin.register(IntakeDay)
class IntakeDayAdmin(SystemWrittenAdmin):
    list_display = ("data_date", "state", "waiting_for", "derived_at", "updated_at")
    list_filter = ("state",)
    date_hierarchy = "data_date"
    view_permission = "holdings.intake:view"
