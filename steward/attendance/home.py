"""The home-page widget "Today's quota progress" (TASK-05): the user's own measures today, done
against quota, and for a supervisor how many of the team have completed the day."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from steward.core.home import HomeWidget, register_widget

TEAM_ROWS = 200  # people of the team read at most (the calendar page shows them all)
LISTED = 8  # people still below quota named in the widget


def quota_progress(request):
    from steward.access.services import has_permission
    from steward.attendance import services
    from steward.org.hierarchy import SUPERVISE

    user = request.user
    today = timezone.localdate()
    team = []
    if has_permission(user, SUPERVISE):
        team = list(services.calendar_employees(user).exclude(pk=user.pk)[:TEAM_ROWS])
    statuses = services.day_status([user.pk, *(person.pk for person in team)], today, today, today=today)
    behind = [person for person in team if not statuses[(person.pk, today)].complete]
    return {
        "today": today,
        "own": statuses.get((user.pk, today)),
        "team_size": len(team),
        "team_complete": len(team) - len(behind),
        "behind": behind[:LISTED],
        "behind_more": max(0, len(behind) - LISTED),
    }


register_widget(
    HomeWidget(
        "quota_progress",
        _("Today's quota progress"),
        "attendance.calendar:view",
        "attendance/widgets/quota_progress.html",
        quota_progress,
        order=3,
    )
)
