from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from steward.access.services import has_permission
from steward.channels import services
from steward.channels.filters import OutboxFilterSet
from steward.channels.models import UNSENT, MessageBatch, OutboundMessage
from steward.channels.permissions import EXPORT, SEND, VIEW
from steward.channels.tables import OutboxTable, masked_address, status_badge
from steward.core.views import ObjectActionView, ObjectDetailView, ObjectListView
from steward.privacy.services import can_unmask


class OutboxView(ObjectListView):
    """The outbox (INT-05): every message to the customers and staff in the reader's scope."""

    model = OutboundMessage
    permission = VIEW
    export_permission = EXPORT
    table_class = OutboxTable
    filterset_class = OutboxFilterSet
    select_related = ("customer", "employee", "batch")
    title = gettext_lazy("Outbox")
    template_name = "channels/message_list.html"

    def extra_context(self, request) -> dict:
        from steward.access.services import has_permission
        from steward.channels.permissions import SEND

        return {"perms_send": has_permission(request.user, SEND), **self.batch_context(request)}

    def batch_context(self, request) -> dict:
        batch = None
        raw = request.GET.get("batch", "")
        if raw.isascii() and raw.isdigit() and len(raw) <= 18:
            batch = MessageBatch.objects.visible_to(request.user, VIEW).filter(pk=int(raw)).first()
        if batch is None:
            return {}
        counts = batch.status_counts(self.get_queryset())
        labels = dict(OutboundMessage.Status.choices)
        return {
            "batch": batch,
            "batch_counts": [
                (status_badge(status, labels.get(status, status)), count) for status, count in counts.items()
            ],
        }


class MessageDetailView(ObjectDetailView):
    model = OutboundMessage
    permission = VIEW
    template_name = "channels/message_detail.html"
    select_related = ("customer", "employee", "batch", "created_by")

    def extra_context(self, request, obj) -> dict:
        return {
            "title": _("Message #%(id)s") % {"id": obj.pk},
            "status": status_badge(obj.status, obj.get_status_display()),
            "address": masked_address(obj, request, can_unmask(request.user)),
            "attempts": list(obj.attempt_log.order_by("number")),
            "can_cancel": obj.status in UNSENT and has_permission(request.user, SEND),
        }


class MessageCancelView(ObjectActionView):
    """Cancel a queued or held message (it was not sent)."""

    model = OutboundMessage
    permission = SEND

    def act(self, request, obj):
        services.cancel_message(request.user, obj)
        return _("The message was cancelled.")
