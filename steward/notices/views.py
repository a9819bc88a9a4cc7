from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from steward.access.services import has_permission
from steward.core.errors import DomainError
from steward.core.views import (
    ObjectActionView,
    ObjectDetailView,
    ObjectListView,
    PermissionRequiredMixin,
    ServiceFormView,
    safe_next,
)
from steward.notices import services
from steward.notices.filters import InboxFilterSet, NoticeFilterSet
from steward.notices.forms import NoticeForm
from steward.notices.models import Notice
from steward.notices.tables import InboxTable, NoticeTable

# --- staff: my notifications -----------------------------------------------------------------


class InboxView(ObjectListView):
    """The notices addressed to me, newest first, unread ones marked (the bell links here)."""

    model = Notice
    permission = ""  # any signed-in member of staff; the audience decides which rows
    table_class = InboxTable
    filterset_class = InboxFilterSet
    title = gettext_lazy("Notifications")
    template_name = "notices/inbox.html"

    def get_queryset(self):
        return services.notices_for(self.request.user, timezone.now())

    def table_key(self) -> str:
        return "notices.inbox"

    def extra_context(self, request) -> dict:
        # The personal notifications (an application waits for me, mine was decided) above the notices.
        notifications = services.notifications_for(request.user)
        return {
            "notifications": list(notifications[:NOTIFICATIONS_SHOWN]),
            "notifications_unread": notifications.unread().count(),
        }


NOTIFICATIONS_SHOWN = 30


class NotificationOpenView(PermissionRequiredMixin, View):
    """Opening a personal notification marks it read and leads to its page; someone else's is a 404."""

    def get(self, request, pk):
        notification = services.open_notification(request.user, pk, timezone.now())
        return HttpResponseRedirect(safe_next(notification.url, reverse("notices:inbox")))


class NoticeReadView(PermissionRequiredMixin, View):
    """Opening a notice shows its text and marks it read. Outside the audience: 404."""

    def get(self, request, pk):
        now = timezone.now()
        notice = services.notices_for(request.user, now).select_related("author").filter(pk=pk).first()
        if notice is None:
            raise Http404
        services.mark_read(request.user, notice, now)
        context = {"object": notice, "title": notice.title, "is_current": notice.is_current(now)}
        return TemplateResponse(request, "notices/notice_detail.html", context)


class MarkAllReadView(PermissionRequiredMixin, View):
    def post(self, request):
        count = services.mark_all_read(request.user, timezone.now())
        if count:
            messages.success(request, _("%(count)d notices marked as read.") % {"count": count})
        return HttpResponseRedirect(reverse("notices:inbox"))


# --- administrators -------------------------------------------------------------------------


class NoticeListView(ObjectListView):
    model = Notice
    permission = "notices.notice:view"
    table_class = NoticeTable
    filterset_class = NoticeFilterSet
    select_related = ("author", "org")
    title = gettext_lazy("System notices")
    add_url_name = "notices:manage_add"
    add_permission = "notices.notice:add"

    def get_queryset(self):
        return super().get_queryset().annotate(read_count=Count("reads"))


class NoticeDetailView(ObjectDetailView):
    model = Notice
    permission = "notices.notice:view"
    template_name = "notices/manage_detail.html"
    select_related = ("author", "org")

    def extra_context(self, request, obj):
        user = request.user
        return {
            "orgs": obj.orgs.order_by("path"),
            "roles": obj.roles.order_by("code"),
            "read_count": services.read_count(obj),
            "is_current": obj.is_current(timezone.now()),
            "can_change": has_permission(user, "notices.notice:change"),
            "can_delete": has_permission(user, "notices.notice:delete"),
        }


class NoticeCreateView(ServiceFormView):
    model = Notice
    permission = "notices.notice:add"
    form_class = NoticeForm
    template_name = "notices/notice_form.html"
    title = gettext_lazy("New system notice")
    success_message = gettext_lazy("The notice was saved as a draft. Publish it when it is ready.")

    def perform(self, form, instance):
        return services.save_notice(self.request.user, None, **form.cleaned_data)


class NoticeEditView(ServiceFormView):
    model = Notice
    permission = "notices.notice:change"
    form_class = NoticeForm
    template_name = "notices/notice_form.html"
    success_message = gettext_lazy("The notice was saved.")

    def perform(self, form, instance):
        return services.save_notice(self.request.user, instance, **form.cleaned_data)


class NoticePublishView(ObjectActionView):
    model = Notice
    permission = "notices.notice:change"

    def act(self, request, obj):
        if request.POST.get("publish") == "0":
            services.unpublish_notice(request.user, obj, timezone.now())
            return _("The notice was withdrawn.")
        services.publish_notice(request.user, obj, timezone.now())
        return _("The notice was published.")


class NoticeDeleteView(ObjectActionView):
    model = Notice
    permission = "notices.notice:delete"

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        try:
            services.delete_notice(request.user, obj)
        except DomainError as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(obj.get_absolute_url())
        messages.success(request, _("The notice was deleted."))
        return HttpResponseRedirect(reverse("notices:manage_list"))
