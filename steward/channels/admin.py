"""Django admin for the outbox (INT-05): read-only, within the data scope of the outbox's own
permission. Messages change only through the channel services (the outbox page cancels)."""

from django.contrib import admin

from steward.access.admin import SystemWrittenAdmin
from steward.channels.models import DeliveryAttempt, DeliveryReceipt, MessageBatch, OutboundMessage
from steward.channels.permissions import RECEIPT, VIEW


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    readonly_fields = ("number", "at", "outcome", "detail")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(OutboundMessage)
class OutboundMessageAdmin(SystemWrittenAdmin):
    list_display = ("id", "channel", "purpose", "status", "reason", "attempts", "queued_at", "batch")
    list_filter = ("channel", "purpose", "status")
    list_select_related = ("batch",)
    # The address is personal data: never shown plain here (the outbox masks it and audits reveals).
    exclude = ("mobile", "email")
    raw_id_fields = ("customer", "employee", "created_by", "batch")
    inlines = [DeliveryAttemptInline]
    view_permission = VIEW


@admin.register(MessageBatch)
class MessageBatchAdmin(SystemWrittenAdmin):
    list_display = ("name", "channel", "purpose", "total", "created_by", "created_at")
    list_filter = ("channel", "purpose")
    list_select_related = ("created_by",)
    view_permission = VIEW


@admin.register(DeliveryReceipt)
class DeliveryReceiptAdmin(SystemWrittenAdmin):
    list_display = ("external_ref", "status", "received_at", "message")
    search_fields = ("external_ref",)
    raw_id_fields = ("message",)
    view_permission = RECEIPT

    def visible_queryset(self, request, queryset):
        # Reports are the gateway's, bank-wide: whoever may post them may read them.
        from steward.access.services import has_permission

        return queryset if has_permission(request.user, self.view_permission) else queryset.none()
