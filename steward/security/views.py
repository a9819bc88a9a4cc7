from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.db.models import Exists, OuterRef, Q, Subquery
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from steward.access.models import RoleAssignment
from steward.core.errors import DomainError
from steward.core.views import ObjectActionView, ObjectListView, PermissionRequiredMixin
from steward.org.filters import EmployeeFilterSet
from steward.org.models import Employee
from steward.security import services
from steward.security.forms import CodeForm, PasswordChangeForm
from steward.security.models import SecondFactor
from steward.security.tables import SecondFactorTable


class PasswordChangeView(PermissionRequiredMixin, View):
    """Change my password (any signed-in user). My other sessions end; this one goes on."""

    template_name = "registration/password_change_form.html"

    def render(self, form):
        return TemplateResponse(self.request, self.template_name, {"form": form, "title": _("Change my password")})

    def get(self, request):
        return self.render(PasswordChangeForm(user=request.user))

    def post(self, request):
        form = PasswordChangeForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                services.change_own_password(
                    request.user, form.cleaned_data["old_password"], form.cleaned_data["new_password1"]
                )
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
            else:
                update_session_auth_hash(request, request.user)
                messages.success(request, _("Your password was changed."))
                return HttpResponseRedirect(reverse("home"))
        return self.render(form)


class MySecondFactorView(PermissionRequiredMixin, View):
    """Set up, look at or switch off my own authenticator app."""

    template_name = "security/my_second_factor.html"

    def context(self, form=None):
        user = self.request.user
        device = SecondFactor.objects.filter(user=user).first()
        context = {
            "title": _("Two-step verification"),
            "device": device,
            "required": services.required_by_role(user),
            "form": form or CodeForm(),
        }
        if device is not None and not device.is_confirmed:
            context["enrolment"] = services.start_enrolment(user)  # still pending: show the same key again
        return context

    def get(self, request):
        return TemplateResponse(request, self.template_name, self.context())

    def post(self, request):
        action = request.POST.get("action")
        if action == "start":
            try:
                services.start_enrolment(request.user)
            except DomainError as error:
                messages.error(request, error.message)
            return HttpResponseRedirect(reverse("security:my_second_factor"))
        form = CodeForm(request.POST)
        if form.is_valid():
            try:
                if action == "confirm":
                    services.confirm_enrolment(request.user, form.cleaned_data["code"])
                    messages.success(request, _("Two-step verification is on. Login will ask for a code from now on."))
                elif action == "remove":
                    services.remove_own_second_factor(request.user, form.cleaned_data["code"])
                    messages.success(request, _("Two-step verification is off."))
                return HttpResponseRedirect(reverse("security:my_second_factor"))
            except DomainError as error:
                form.add_error("code" if error.field == "code" else None, error.message)
        return TemplateResponse(request, self.template_name, self.context(form))


class SecondFactorListView(ObjectListView):
    """Administrators: who in my scope uses, or must use, a second factor; reset a lost one."""

    model = Employee
    permission = "security.second_factor:reset"
    table_class = SecondFactorTable
    filterset_class = EmployeeFilterSet
    select_related = ("org",)
    title = gettext_lazy("Second factors")

    def get_queryset(self):
        devices = SecondFactor.objects.filter(user=OuterRef("pk"))
        required = RoleAssignment.objects.current().filter(user=OuterRef("pk"), role__require_second_factor=True)
        return (
            super()
            .get_queryset()
            .annotate(
                enrolled_at=Subquery(devices.values("confirmed_at")[:1]),
                pending=Exists(devices.filter(confirmed_at__isnull=True)),
                last_used_at=Subquery(devices.values("last_used_at")[:1]),
                required=Exists(required),
            )
            .filter(Q(required=True) | Exists(devices))
        )

    def table_key(self) -> str:
        return "security.second_factor"


class SecondFactorResetView(ObjectActionView):
    model = Employee
    permission = "security.second_factor:reset"

    def act(self, request, obj):
        services.reset_second_factor(request.user, obj, timezone.now())
        return _("The second factor of %(user)s was reset; they set it up again at their next login.") % {"user": obj}

    def post(self, request, *args, **kwargs):
        super().post(request, *args, **kwargs)
        return HttpResponseRedirect(reverse("security:second_factor_list"))
