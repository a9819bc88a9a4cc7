from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from steward.core import views_shell
from steward.core.auth_views import LoginView, ObtainAuthTokenView

handler403 = "steward.core.views_shell.permission_denied"
handler404 = "steward.core.views_shell.page_not_found"

urlpatterns = [
    path("", views_shell.home, name="home"),
    path("favicon.ico", views_shell.favicon, name="favicon"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", views_shell.set_language, name="set_language"),
    path("preferences/columns/", views_shell.save_columns, name="save_columns"),
    path("org/", include("steward.org.urls")),
    path("access/", include("steward.access.urls")),
    path("basedata/", include("steward.basedata.urls")),
    path("audit/", include("steward.audit.urls")),
    path("privacy/", include("steward.privacy.urls")),
    path("approvals/", include("steward.approvals.urls")),
    path("jobs/", include("steward.jobs.urls")),
    path("notices/", include("steward.notices.urls")),
    path("account/", include("steward.security.urls")),
    path("customers/", include("steward.customers.urls")),
    path("holdings/", include("steward.holdings.urls")),
    path("segments/", include("steward.segments.urls")),
    path("imports/", include("steward.imports.urls")),
    path("schedule/", include("steward.worklog.urls")),
    path("contact-plans/", include("steward.contactplans.urls")),
    path("leads/", include("steward.leads.urls")),
    path("lead-allocation/", include("steward.allocation.urls")),
    path("tasks/", include("steward.tasks.urls")),
    path("attendance/", include("steward.attendance.urls")),
    path("agenda/", include("steward.agenda.urls")),
    path("channels/", include("steward.channels.urls")),
    path("interactions/", include("steward.interactions.urls")),
    path("", include("steward.tags.urls")),  # /tags/… and /groups/…
    path("api/v1/", include("steward.api.urls")),
    path("api/v1/auth/token/", ObtainAuthTokenView.as_view(), name="api_token"),
    path("api/schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # A page to read: GET only (its OPTIONS answer had no template to render, a 500).
    path(
        "api/docs/",
        SpectacularSwaggerView.as_view(url_name="api_schema", http_method_names=["get", "head"]),
        name="api_docs",
    ),
    path("django-admin/", admin.site.urls),
]
