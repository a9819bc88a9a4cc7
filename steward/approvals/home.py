"""Home-page widget: my pending applications and what waits for me."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from steward.access.services import has_permission
from steward.approvals.permissions import HANDLE, SUBMIT
from steward.core.home import HomeWidget, register_widget


def application_figures(request):
    from steward.approvals.models import Application
    from steward.approvals.services import my_applications, waiting_for

    user = request.user
    figures = [
        {
            "label": _("My pending applications"),
            "value": my_applications(user).filter(status=Application.Status.PENDING).count(),
            "url": reverse("approvals:mine") + "?status=pending",
        }
    ]
    if has_permission(user, HANDLE):
        figures.append(
            {
                "label": _("Waiting for my decision"),
                "value": waiting_for(user).count(),
                "url": reverse("approvals:inbox"),
            }
        )
    return {"figures": figures}


register_widget(
    HomeWidget("applications", _("Applications"), SUBMIT, "core/widgets/figures.html", application_figures, 15)
)
