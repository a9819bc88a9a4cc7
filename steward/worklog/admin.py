from django.contrib import admin

from steward.worklog.models import WorkEntry


@admin.register(WorkEntry)
class WorkEntryAdmin(admin.ModelAdmin):
    list_display = ("on", "owner", "kind", "period", "title", "is_done")
    list_filter = ("kind", "period")
    search_fields = ("title",)
    raw_id_fields = ("owner",)
