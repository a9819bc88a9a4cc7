from django.contrib import admin

from steward.contactplans.models import ContactPlan, KeyCustomerFlag


@admin.register(ContactPlan)
class ContactPlanAdmin(admin.ModelAdmin):
    list_display = ("planned_at", "customer", "owner", "channel", "status")
    list_filter = ("status", "channel")
    raw_id_fields = ("customer", "owner", "interaction", "created_by")


@admin.register(KeyCustomerFlag)
class KeyCustomerFlagAdmin(admin.ModelAdmin):
    list_display = ("customer", "flagged_by", "flagged_at")
    raw_id_fields = ("customer", "flagged_by")
