"""The leads' home-page widgets (issue 15 point 10): for the holder — today's appointments, the
leads whose protection ends within a day, how many are held and waiting to be claimed; for a
supervisor — the team's leads by RM (held, followed up this week, converted this month)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from steward.core.home import HomeWidget, register_widget
from steward.leads.permissions import FOLLOW_UP

LISTED = 5
TEAM_ROWS = 200


def _start_of_today():
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


def my_leads(request):
    from steward.leads.models import Lead
    from steward.leads.pools import claimable_leads
    from steward.leads.protection import UNPROTECTED

    user = request.user
    now = timezone.now()
    today = _start_of_today()
    held = Lead.objects.filter(holder=user, merged_into__isnull=True).exclude(stage__in=UNPROTECTED)
    figures = held.aggregate(
        held=Count("pk"),
        expiring=Count("pk", filter=Q(protected_until__lte=now + dt.timedelta(days=1))),
        intent=Count("pk", filter=Q(stage__in=[Lead.Stage.INTENT, Lead.Stage.VALID])),
    )
    appointments = list(
        held.filter(appointment_at__gte=today, appointment_at__lt=today + dt.timedelta(days=1))
        .order_by("appointment_at")
        .values("pk", "name", "appointment_at", "appointment_note")[:LISTED]
    )
    ending = list(
        held.filter(protected_until__lte=now + dt.timedelta(days=1))
        .order_by("protected_until")
        .values("pk", "name", "protected_until")[:LISTED]
    )
    return {
        "figures": figures,
        "appointments": appointments,
        "ending": ending,
        "to_claim": claimable_leads(user).count(),
    }


def team_leads(request):
    from steward.leads.models import Lead
    from steward.worklog.warnings import supervised_rms

    team = list(supervised_rms(request.user).exclude(pk=request.user.pk)[:TEAM_ROWS])
    if not team:
        return {"rows": []}
    now = timezone.now()
    week = now - dt.timedelta(days=7)
    month = _start_of_today().replace(day=1)
    held = dict(
        Lead.objects.filter(
            holder__in=team, merged_into__isnull=True, stage__in=["new", "contacted", "intent", "valid"]
        )
        .order_by()
        .values("holder")
        .annotate(n=Count("pk"))
        .values_list("holder", "n")
    )
    followed = dict(
        Lead.objects.filter(holder__in=team, last_followup_at__gte=week)
        .order_by()
        .values("holder")
        .annotate(n=Count("pk"))
        .values_list("holder", "n")
    )
    converted = dict(
        Lead.objects.filter(converted_by__in=team, converted_at__gte=month)
        .order_by()
        .values("converted_by")
        .annotate(n=Count("pk"))
        .values_list("converted_by", "n")
    )
    rows = [
        {
            "employee": person,
            "held": held.get(person.pk, 0),
            "followed": followed.get(person.pk, 0),
            "converted": converted.get(person.pk, 0),
        }
        for person in team
    ]
    return {"rows": [row for row in rows if row["held"] or row["converted"]][:50]}


register_widget(
    HomeWidget("my_leads", _("My potential customers"), FOLLOW_UP, "leads/widgets/my_leads.html", my_leads, order=5)
)
register_widget(
    HomeWidget(
        "team_leads",
        _("The team's potential customers"),
        "org.employee:supervise",
        "leads/widgets/team_leads.html",
        team_leads,
        order=12,
        size="half",
    )
)
