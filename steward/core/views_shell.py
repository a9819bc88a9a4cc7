"""Pages of the shell itself: home, language switch, column preferences, error pages."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.views.decorators.http import require_POST

from steward.access.services import permitted_names
from steward.core.home import widgets_for


@login_required
def home(request):
    widgets = widgets_for(request)
    roles = request.user.role_assignments.current().select_related("role", "org")
    return render(
        request,
        "core/home.html",
        {"widgets": widgets, "assignments": roles, "has_any_permission": bool(permitted_names(request.user))},
    )


_FAVICON = settings.BASE_DIR / "steward" / "static" / "steward" / "favicon.svg"


def favicon(request):
    """/favicon.ico, which browsers and other clients ask for whatever the page links: the
    product's icon (the pages link steward/favicon.svg), not a 404 in every log."""
    response = HttpResponse(_FAVICON.read_bytes(), content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_POST
def set_language(request):
    """Switch the interface language; a logged-in user's choice follows them to any browser."""
    language = request.POST.get("language", "")
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "/"
    if not check_for_language(language) or language not in dict(settings.LANGUAGES):
        return HttpResponseBadRequest("Unknown language")
    response = HttpResponseRedirect(target)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=False,
    )
    if request.user.is_authenticated and request.user.language != language:
        get_user_model().objects.filter(pk=request.user.pk).update(language=language)
    return response


@login_required
@require_POST
def save_columns(request):
    """Remember which columns a user shows in one list (the column chooser)."""
    key = request.POST.get("table_key", "")
    columns = request.POST.getlist("columns")
    if not key or len(key) > 100:
        return HttpResponseBadRequest("table_key is required")
    user = request.user
    preferences = dict(user.ui_preferences or {})
    preferences.setdefault("columns", {})[key] = columns
    get_user_model().objects.filter(pk=user.pk).update(ui_preferences=preferences)
    response = HttpResponse(status=204)
    response["HX-Refresh"] = "true"
    return response


def permission_denied(request, exception=None):
    record_denial(request, exception)
    return render(request, "403.html", {"message": str(exception or "")}, status=403)


def record_denial(request, exception=None) -> None:
    """Every refused request is in the audit trail: who tried what, where."""
    from steward.audit.services import log_event

    log_event("auth.permission_denied", message=f"{request.method} {request.path}: {exception or ''}"[:500])


def page_not_found(request, exception=None):
    return render(request, "404.html", status=404)
