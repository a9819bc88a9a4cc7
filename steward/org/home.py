"""Home-page widgets of the org app; which ones a user sees follows their permissions."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from steward.access.services import has_permission
from steward.core.home import HomeWidget, register_widget
from steward.org.models import Employee, Org


def staff_figures(request):
    user = request.user
    employees = Employee.objects.visible_to(user, "org.employee:view").exclude(status=Employee.Status.LEFT)
    figures = [
        {"label": _("Employees in your scope"), "value": employees.count(), "url": reverse("org:employee_list")},
        {
            "label": _("Orgs in your scope"),
            "value": Org.objects.visible_to(user, "org.org:view").filter(is_active=True).count()
            if has_permission(user, "org.org:view")
            else "—",
            "url": reverse("org:org_list") if has_permission(user, "org.org:view") else None,
        },
    ]
    if has_permission(user, "org.employee:online"):
        from steward.org.services import online_users

        figures.append(
            {"label": _("Online now"), "value": online_users(user).count(), "url": reverse("org:online_users")}
        )
    return {"figures": figures}


def my_work(request):
    user = request.user
    return {
        "links": [
            {"label": _("My profile"), "url": user.get_absolute_url()},
            {"label": _("My org: %(org)s") % {"org": user.org.name}, "url": user.org.get_absolute_url()},
        ]
    }


def administration(request):
    user = request.user
    candidates = [
        ("access.role:view", _("Roles and permissions"), "access:role_list"),
        ("org.employee:add", _("Add an employee"), "org:employee_add"),
        ("basedata.codetable:view", _("Code tables"), "basedata:codetable_list"),
        ("basedata.parameter:view", _("System parameters"), "basedata:parameter_list"),
        ("core.api:docs", _("API documentation"), "api_docs"),
    ]
    return {
        "links": [
            {"label": label, "url": reverse(url)} for perm, label, url in candidates if has_permission(user, perm)
        ]
    }


register_widget(
    HomeWidget(
        "staff", _("Organization at a glance"), "org.employee:view", "core/widgets/figures.html", staff_figures, 10
    )
)
register_widget(HomeWidget("my_work", _("My work"), "org.org:view", "core/widgets/links.html", my_work, 20))
register_widget(
    HomeWidget("administration", _("Administration"), "access.role:view", "core/widgets/links.html", administration, 90)
)
