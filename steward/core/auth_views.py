"""Login: employee number and password, then — when required — a one-time code (issue 3, point 6).

* Lockout (django-axes): repeated failures lock the account and the client address for the
  cool-off period; the login page then says so (`lockout_response`), with HTTP 429.
* Second factor: when any current role of the user requires it (or they enrolled on their
  own), a correct password is not yet a login. The user is remembered as "pending" in the
  session for a few minutes and asked for the 6-digit code on the same page (`?step=code`);
  a user who must but has not yet enrolled sets up their authenticator app there first.
  A wrong code counts as a failed login (audited, and towards the lockout).
"""

from __future__ import annotations

import datetime as dt

from axes.handlers.proxy import AxesProxyHandler
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_login_failed
from django.http import HttpResponseRedirect
from django.shortcuts import resolve_url
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from steward.core.errors import DomainError

PENDING_KEY = "_steward_login_pending"
PENDING_SECONDS = 300


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=gettext_lazy("Employee number"),
        widget=forms.TextInput(attrs={"autofocus": True, "class": "form-control", "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=gettext_lazy("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"class": "form-control", "autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": gettext_lazy("The employee number or password is wrong, or the account cannot log in."),
        "inactive": gettext_lazy("This account is disabled."),
    }


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("6-digit code"),
        max_length=10,
        widget=forms.TextInput(
            attrs={
                "autofocus": True,
                "class": "form-control form-control-lg text-center",
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "pattern": "[0-9 ]*",
            }
        ),
    )


def cool_off_minutes() -> int:
    cool_off = settings.AXES_COOLOFF_TIME
    if isinstance(cool_off, dt.timedelta):
        return max(1, int(cool_off.total_seconds() // 60))
    return 0


def lockout_message() -> str:
    minutes = cool_off_minutes()
    if minutes:
        return _(
            "Too many failed logins: this account or this computer is locked for %(minutes)d minutes. "
            "Try again later, or ask an administrator to unlock it."
        ) % {"minutes": minutes}
    return _("Too many failed logins: this account or this computer is locked. Ask an administrator to unlock it.")


def lockout_response(request, original_response=None, credentials=None):
    """django-axes' lockout answer (AXES_LOCKOUT_CALLABLE): the login page with a clear message, HTTP 429."""
    request.session.pop(PENDING_KEY, None)
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = LoginForm(request, initial={"username": username})
    context = {"form": form, "locked_message": lockout_message(), "next": request.POST.get("next", "")}
    response = TemplateResponse(request, "registration/login.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
    return response.render()


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    # --- step 1: employee number and password ---------------------------------------------

    def get(self, request, *args, **kwargs):
        if request.GET.get("step") == "code" and not request.user.is_authenticated:
            pending = self.pending()
            if pending is None:
                return self.restart()
            return self.render_code_step(pending, CodeForm())
        request.session.pop(PENDING_KEY, None)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if request.POST.get("step") == "code":
            return self.post_code(request)
        request.session.pop(PENDING_KEY, None)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        from steward.security.services import login_step_after_password

        user = form.get_user()
        if login_step_after_password(user) is None:
            response = super().form_valid(form)
            return self.remember_language(response, user)
        # The password was right; the login completes only with the code.
        self.request.session[PENDING_KEY] = {
            "user": user.pk,
            "backend": user.backend,
            "since": timezone.now().timestamp(),
            "next": self.get_success_url(),
        }
        return HttpResponseRedirect(reverse("login") + "?step=code")

    # --- step 2: the one-time code ------------------------------------------------------------

    def pending(self):
        """The user who gave the right password and still owes a code (None if expired or gone)."""
        data = self.request.session.get(PENDING_KEY)
        if not data or timezone.now().timestamp() - data.get("since", 0) > PENDING_SECONDS:
            return None
        user = get_user_model().objects.filter(pk=data["user"], is_active=True).first()
        if user is None:
            return None
        return {**data, "user_obj": user}

    def restart(self):
        self.request.session.pop(PENDING_KEY, None)
        messages.warning(self.request, _("Your login took too long. Please enter your password again."))
        return HttpResponseRedirect(reverse("login"))

    def render_code_step(self, pending, form, status=200):
        from steward.security import services

        user = pending["user_obj"]
        step = services.login_step_after_password(user)
        context = {"form": form, "step": step, "employee_no": user.get_username(), "title": _("Two-step verification")}
        if step == "enrol":
            context["enrolment"] = services.start_enrolment(user)
        return TemplateResponse(self.request, "registration/login_second_factor.html", context, status=status)

    def post_code(self, request):
        from steward.security import services

        pending = self.pending()
        if pending is None:
            return self.restart()
        user = pending["user_obj"]
        credentials = {"username": user.get_username()}
        if settings.AXES_ENABLED and not AxesProxyHandler.is_allowed(request, credentials):
            return lockout_response(request, None, credentials)
        form = CodeForm(request.POST)
        accepted = False
        if form.is_valid():
            code = form.cleaned_data["code"]
            step = services.login_step_after_password(user)
            if step == "enrol":
                try:
                    services.confirm_enrolment(user, code)
                    accepted = True
                except DomainError:
                    accepted = False
            elif step == "verify":
                accepted = services.verify_code(user, code)
            else:  # the requirement went away meanwhile: the password was enough
                accepted = True
        if accepted:
            return self.finish(user, pending)
        # Audited as a failed login and counted towards the lockout, like a wrong password.
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
        if getattr(request, "axes_locked_out", False):
            request.session.pop(PENDING_KEY, None)
            return lockout_response(request, None, credentials)
        form.add_error(None, _("That code is not right. Enter the current code from your authenticator app."))
        return self.render_code_step(pending, form)

    def finish(self, user, pending):
        from steward.security.signals import VERIFIED_ATTRIBUTE

        self.request.session.pop(PENDING_KEY, None)
        setattr(self.request, VERIFIED_ATTRIBUTE, True)  # the code was accepted: this session is complete
        auth_login(self.request, user, backend=pending["backend"])
        target = pending.get("next") or resolve_url(settings.LOGIN_REDIRECT_URL)
        return self.remember_language(HttpResponseRedirect(target), user)

    # --- shared ----------------------------------------------------------------------------

    def remember_language(self, response, user):
        if user.language:
            # The language the user chose last time follows them to this browser.
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                user.language,
                max_age=365 * 24 * 3600,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response


class ObtainAuthTokenView(ObtainAuthToken):
    """API token for employee number and password (PLT-11) — plus ``code`` when login needs a second factor.

    Without this, a user whose role requires a second factor could get a token with the
    password alone. A wrong code counts as a failed login, as on the login page.
    """

    def post(self, request, *args, **kwargs):
        from steward.security import services

        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        step = services.login_step_after_password(user)
        if step == "enrol":
            raise ValidationError({"code": [_("Set up two-step verification in the web interface first.")]})
        if step == "verify" and not services.verify_code(user, request.data.get("code", "")):
            user_login_failed.send(
                sender=__name__, credentials={"username": user.get_username()}, request=request._request
            )
            raise ValidationError({"code": [_("A valid 6-digit code from your authenticator app is required.")]})
        from steward.access.services import issue_token

        # A new hashed, expiring token each time (issue 11): the key is shown only in this answer.
        token, key = issue_token(user, user, name=request.data.get("name", "") or _("API login"))
        return Response({"token": key, "expires_at": token.expires_at, "id": token.pk})
