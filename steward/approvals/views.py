"""Pages: my applications, the to-approve inbox, the monitor, a new application, the detail — PLT-09.

Views are thin: they read through the services' querysets and call the services to act.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from steward.access.services import has_permission
from steward.approvals import services
from steward.approvals.filters import ApplicationFilterSet, InboxFilterSet, MyApplicationFilterSet
from steward.approvals.forms import ApplicationForm, DecisionForm, ForwardForm
from steward.approvals.models import Application, Attachment
from steward.approvals.permissions import EXPORT, HANDLE, MONITOR, PARTICIPANT_PERMISSIONS, REROUTE, SUBMIT
from steward.approvals.registry import application_types
from steward.approvals.tables import ApplicationTable, InboxTable, MyApplicationTable
from steward.core.errors import DomainError
from steward.core.views import (
    ObjectActionView,
    ObjectDetailView,
    ObjectListView,
    PermissionRequiredMixin,
    ServiceFormView,
)
from steward.notices.services import mark_notifications_read_for


class ApplicationListView(ObjectListView):
    model = Application
    select_related = ("org", "submitter")

    def base_queryset(self):
        """The inbox's own rows (mine, to approve, monitor): every concrete inbox defines this."""
        raise ImproperlyConfigured(f"{type(self).__name__} must define base_queryset().")

    def get_queryset(self):
        return self.base_queryset().select_related(*self.select_related).prefetch_related("handlers")


class MyApplicationsView(ApplicationListView):
    """申请查询 (003 §1.15): the applications I submitted, and the button to create one."""

    permission = SUBMIT
    table_class = MyApplicationTable
    filterset_class = MyApplicationFilterSet
    title = gettext_lazy("My applications")
    add_url_name = "approvals:new"
    add_permission = SUBMIT

    def base_queryset(self):
        return services.my_applications(self.request.user)

    def table_key(self):
        return "approvals.mine"


class InboxView(ApplicationListView):
    """待办申请 (003 §1.16): the pending applications waiting for my decision, oldest first."""

    permission = HANDLE
    table_class = InboxTable
    filterset_class = InboxFilterSet
    title = gettext_lazy("To approve")

    def base_queryset(self):
        return services.waiting_for(self.request.user)

    def table_key(self):
        return "approvals.inbox"


class MonitorView(ApplicationListView):
    """申请监控 (003 §1.17): every application in the monitor's data scope, filterable and exportable."""

    permission = MONITOR
    table_class = ApplicationTable
    filterset_class = ApplicationFilterSet
    title = gettext_lazy("Application monitor")
    export_permission = EXPORT

    def base_queryset(self):
        return services.monitored(self.request.user)

    def table_key(self):
        return "approvals.monitor"


class NewApplicationChooseView(PermissionRequiredMixin, View):
    """Step one of a new application: which kind."""

    permission = SUBMIT

    def get(self, request, *args, **kwargs):
        return TemplateResponse(
            request,
            "approvals/choose_type.html",
            {"title": _("New application"), "types": services.submittable_types(request.user)},
        )


class NewApplicationView(ServiceFormView):
    """Step two: the details, reason, handler and attachments; once submitted it cannot be changed."""

    model = Application
    permission = SUBMIT
    form_class = ApplicationForm
    template_name = "approvals/application_form.html"

    def dispatch(self, request, *args, **kwargs):
        self.application_type = application_types.get(kwargs["type_key"])
        if self.application_type is None:
            raise Http404(_("Unknown application type."))
        if request.user.is_authenticated and not has_permission(request.user, self.application_type.submit_permission):
            raise PermissionDenied(_("You may not submit this kind of application."))
        return super().dispatch(request, *args, **kwargs)

    def get_title(self, instance):
        return _("New application: %(type)s") % {"type": self.application_type.label}

    def get_form(self, data=None, instance=None):
        return self.form_class(
            data=data,
            files=self.request.FILES if data is not None else None,
            user=self.request.user,
            application_type=self.application_type,
        )

    def extra_context(self, instance):
        return {
            "application_type": self.application_type,
            "nobody_to_decide": not services.first_step_candidates(self.request.user, self.application_type).exists(),
        }

    def perform(self, form, instance):
        data = form.cleaned_data
        return services.submit(
            self.request.user,
            self.application_type.key,
            title=data["title"],
            reason=data["reason"],
            payload=form.payload(),
            handler=data["handler"],
            attachments=data["attachments"],
        )

    success_message = gettext_lazy("The application was submitted.")


class ParticipantMixin:
    """Open to anyone holding one of the application permissions; the row must be reachable."""

    permission = ""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not any(has_permission(request.user, p) for p in PARTICIPANT_PERMISSIONS):
            raise PermissionDenied(_("You do not have permission to open this page."))
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return Application.objects.reachable_by(self.request.user).select_related("org", "submitter", "decided_by")


class ApplicationDetailView(ParticipantMixin, ObjectDetailView):
    model = Application
    template_name = "approvals/application_detail.html"

    def extra_context(self, request, obj):
        user = request.user
        actions = services.available_actions(user, obj)
        # Opening the application reads the notifications that led here (PLT-10).
        mark_notifications_read_for(user, obj.get_absolute_url())
        application_type = obj.application_type
        subject_template = getattr(application_type, "subject_template", "")
        return {
            "subject_template": subject_template,
            "subject": application_type.subject_context(obj, user) if subject_template else {},
            "title": obj.title,
            "payload_rows": obj.payload_display(),
            "decisions": obj.decisions.select_related("actor"),
            "attachments": obj.attachments.all(),
            "handlers": obj.handlers.select_related("org") if obj.is_pending else [],
            "decision_form": DecisionForm(user=user, initial={"step": obj.step_index})
            if actions["can_decide"]
            else None,
            "forward_form": ForwardForm(user=user, instance=obj, initial={"step": obj.step_index})
            if actions["can_decide"]
            else None,
            "inbox_url": reverse("approvals:inbox"),
            **actions,
        }


class ApplicationActionView(ParticipantMixin, ObjectActionView):
    model = Application

    def dispatch(self, request, *args, **kwargs):
        # The action's own permission, on top of being a participant.
        if request.user.is_authenticated and not has_permission(request.user, self.action_permission):
            raise PermissionDenied(_("You do not have permission to do this."))
        return super().dispatch(request, *args, **kwargs)


class ApproveView(ApplicationActionView):
    action_permission = HANDLE

    def act(self, request, obj):
        form = DecisionForm(request.POST, user=request.user)
        form.is_valid()
        application = services.approve(
            request.user, obj, comment=form.cleaned_data.get("comment", ""), step=form.cleaned_data.get("step")
        )
        if application.is_pending:
            return _("The step was approved; the application moves on to “%(step)s”.") % {
                "step": application.step_label
            }
        return _("The application was approved.")


class RejectView(ApplicationActionView):
    action_permission = HANDLE

    def act(self, request, obj):
        form = DecisionForm(request.POST, user=request.user)
        form.is_valid()
        services.reject(
            request.user, obj, comment=form.cleaned_data.get("comment", ""), step=form.cleaned_data.get("step")
        )
        return _("The application was rejected.")


class ForwardView(ApplicationActionView):
    action_permission = HANDLE

    def act(self, request, obj):
        form = ForwardForm(request.POST, user=request.user, instance=obj)
        if not form.is_valid():
            raise DomainError(" ".join(form.errors.get("to", [])) or _("Choose who to forward the application to."))
        services.forward(
            request.user,
            obj,
            to=form.cleaned_data["to"],
            comment=form.cleaned_data.get("comment", ""),
            step=form.cleaned_data.get("step"),
        )
        return _("The application was forwarded to %(person)s.") % {"person": form.cleaned_data["to"].name}


class WithdrawView(ApplicationActionView):
    action_permission = SUBMIT

    def act(self, request, obj):
        services.withdraw(request.user, obj, comment=request.POST.get("comment", ""))
        return _("The application was withdrawn.")


class RerouteView(ApplicationActionView):
    action_permission = REROUTE

    def act(self, request, obj):
        services.reroute(request.user, obj)
        return _("The application was routed again from the current roles.")


class AttachmentDownloadView(ParticipantMixin, PermissionRequiredMixin, View):
    """An attachment, only for those who may open its application; files are never served directly."""

    def get(self, request, pk):
        attachment = get_object_or_404(
            Attachment.objects.select_related("application"),
            pk=pk,
            application__in=Application.objects.reachable_by(request.user).values("pk"),
        )
        return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)
