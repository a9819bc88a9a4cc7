from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, gettext_noop, ngettext
from django.utils.translation import gettext as _
from django.views import View

from steward.access import services
from steward.access.filters import RoleFilterSet
from steward.access.forms import ApiTokenForm, RoleForm
from steward.access.models import ApiToken, Role
from steward.access.tables import RoleTable
from steward.core.errors import DomainError
from steward.core.views import ObjectListView, PermissionRequiredMixin, ScopedObjectMixin, ServiceFormView
from steward.org.models import Employee


def _posted_token(request, holder) -> ApiToken:
    """The holder's token named by the form's `token` field; anything that is not one of its ids is a 404."""
    value = request.POST.get("token", "")
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        raise Http404
    return get_object_or_404(ApiToken, pk=int(value), user=holder)


class RoleListView(ObjectListView):
    model = Role
    permission = "access.role:view"
    table_class = RoleTable
    filterset_class = RoleFilterSet
    title = gettext_lazy("Roles")
    add_url_name = "access:role_add"
    add_permission = "access.role:change"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .annotate(
                holders=Count("assignments", filter=Q(assignments__ended_at__isnull=True), distinct=True),
                permission_count=Count("grants", distinct=True),
            )
        )


class RoleFormView(ServiceFormView):
    """Create (no pk) or edit a role and tick the menus and actions it grants."""

    model = Role
    permission = "access.role:view"
    form_class = RoleForm
    template_name = "access/role_form.html"
    title = gettext_lazy("New role")
    success_message = gettext_lazy("The role was saved.")

    def post(self, request, *args, **kwargs):
        services.require_permission(request.user, "access.role:change")
        return super().post(request, *args, **kwargs)

    def perform(self, form, instance):
        data = {k: v for k, v in form.cleaned_data.items() if k != "permissions"}
        role = instance or Role()
        for name, value in data.items():
            setattr(role, name, value)
        try:
            return services.save_role(self.request.user, role, form.cleaned_data["permissions"])
        except services.EscalationRefused as refused:  # shown on the form (PLT-03)
            raise DomainError(refused.message, field=refused.field) from refused

    def success_url(self, obj):
        return obj.get_absolute_url()

    def extra_context(self, instance):
        user = self.request.user
        can_change = services.may_edit_role(user, instance or Role())
        return {
            "can_change": can_change,
            # Someone who may edit roles but not this one is told why the Save button is missing.
            "locked": bool(instance) and not can_change and services.has_permission(user, "access.role:change"),
        }


def token_rows(tokens, now=None):
    """Tokens with their state for the templates (active, expired, lapsed after idle time, revoked)."""
    now = now or timezone.now()
    rows = []
    for token in tokens:
        state = services.token_state(token, now)
        # Reasons the system writes are stored as English source text and translated here, for the reader.
        reason = gettext(token.revoke_reason) if token.revoke_reason else ""
        rows.append(
            {"token": token, "state": state, "state_label": services.token_state_label(state), "reason": reason}
        )
    return rows


class MyApiTokensView(PermissionRequiredMixin, View):
    """My API tokens (any signed-in user): issue, rotate, revoke. A new key is shown once, here."""

    template_name = "access/api_tokens.html"

    def render(self, form=None, new_key=None, new_token=None, status=200):
        user = self.request.user
        context = {
            "title": _("My API tokens"),
            "rows": token_rows(services.tokens_visible_to(user, user)),
            "form": form or ApiTokenForm(),
            "new_key": new_key,
            "new_token": new_token,
            "own": True,
        }
        return TemplateResponse(self.request, self.template_name, context, status=status)

    def get(self, request):
        return self.render()

    def post(self, request):
        action = request.POST.get("action", "")
        user = request.user
        if action == "issue":
            form = ApiTokenForm(request.POST)
            if not form.is_valid():
                return self.render(form)
            try:
                token, key = services.issue_token(
                    user, user, name=form.cleaned_data["name"], days=form.cleaned_data["expires_in_days"]
                )
            except DomainError as error:
                form.add_error(error.field if error.field in form.fields else None, error.message)
                return self.render(form)
            return self.render(new_key=key, new_token=token)  # never redirected: the key is not kept anywhere
        token = _posted_token(request, user)
        try:
            if action == "rotate":
                new, key = services.rotate_token(user, token)
                return self.render(new_key=key, new_token=new)
            if action == "revoke":
                services.revoke_token(user, token, reason=gettext_noop("revoked by the holder"))
                messages.success(request, _("The token %(prefix)s… was revoked.") % {"prefix": token.prefix})
        except DomainError as error:
            messages.error(request, error.message)
        return HttpResponseRedirect(reverse("access:my_api_tokens"))


class EmployeeApiTokensView(PermissionRequiredMixin, ScopedObjectMixin, View):
    """Administrators: the API tokens of one employee in scope; revoke one or all."""

    model = Employee
    permission = services.TOKEN_VIEW
    template_name = "access/api_tokens.html"

    def get(self, request, pk):
        employee = self.get_object()
        rows = token_rows(services.tokens_visible_to(request.user, employee))
        context = {
            "title": _("API tokens of %(employee)s") % {"employee": employee},
            "employee": employee,
            "rows": rows,
            "can_revoke": services.may_manage_tokens_of(request.user, employee, services.TOKEN_REVOKE),
            "any_live": any(row["token"].revoked_at is None for row in rows),
            "own": employee.pk == request.user.pk,
        }
        return TemplateResponse(request, self.template_name, context)

    def post(self, request, pk):
        employee = self.get_object()
        reason = request.POST.get("reason", "") or gettext_noop("revoked by an administrator")
        if request.POST.get("action") == "revoke_all":
            count = services.revoke_tokens_of(request.user, employee, reason=reason)
            messages.success(
                request,
                ngettext("%(count)d token was revoked.", "%(count)d tokens were revoked.", count) % {"count": count},
            )
        else:
            token = _posted_token(request, employee)
            services.revoke_token(request.user, token, reason=reason)
            messages.success(request, _("The token %(prefix)s… was revoked.") % {"prefix": token.prefix})
        return HttpResponseRedirect(reverse("access:employee_api_tokens", args=[employee.pk]))
