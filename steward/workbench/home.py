"""The workbench's widgets on the home page (SVC-07, SVC-09 "three assistants and two
reminders", SVC-10 bulletin board). Each needs a permission, so every role gets its own home;
the agenda and the KPIs lead an RM's home, the team table a supervisor's."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from steward.core.home import HomeWidget, register_widget
from steward.workbench import assistants, services


def today_context(request):
    now = timezone.now()
    today = timezone.localdate(now)
    return {
        "agenda": services.agenda(request.user, today, now),
        "guidance": services.open_guidance(request.user),
        "plans_url": reverse("contactplans:plan_list"),
        "today": today,
    }


def book_context(request):
    today = timezone.localdate()
    return {"book": services.book_figures([request.user.pk], today)[request.user.pk], "today": today}


def _once_per_request(request, key: str, compute):
    """What several widgets of one home page read alike (the book's current reminders, its key
    customers due), read once per request."""
    cache = request.__dict__.setdefault("_workbench_reads", {})
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def _book_reminders(request):
    return _once_per_request(
        request, "reminders", lambda: assistants.book_reminders(request.user, timezone.localdate())
    )


def _key_customers_due(request, rows: int = 5):
    """Key customers due for a contact, never contacted first, then the longest without: the
    first `rows` and how many there are, in one read (a window count) by the work warnings' one
    rule (overdue_key_customers)."""
    from django.db.models import Count, F, Window

    from steward.worklog.warnings import overdue_key_customers

    def read():
        due = overdue_key_customers(request.user, [request.user.pk], timezone.localdate()).order_by(
            F("last_contact_at").asc(nulls_first=True), "pk"
        )
        first = list(due.only("pk", "name", "cif").annotate(total=Window(Count("pk")))[:rows])
        return first, (first[0].total if first else 0)

    return _once_per_request(request, "key_customers_due", read)


def customer_assistant(request):
    return {
        **services.customer_changes(request.user, timezone.localdate(), reminders=_book_reminders(request)),
        **assistants.at_risk_customers(request.user),
    }


def product_assistant(request):
    from steward.access.services import has_permission

    return {
        **assistants.product_assistant(request.user, timezone.localdate(), _book_reminders(request)),
        "may_list_products": has_permission(request.user, "holdings.product:view"),
    }


def customer_reminders(request):
    from steward.access.services import has_permission

    return {
        **assistants.customer_reminders(request.user, timezone.localdate(), _book_reminders(request)),
        "may_plan": has_permission(request.user, "contactplans.plan:add"),
    }


def service_assistant(request):
    key_due, key_due_count = _key_customers_due(request)
    return {"key_due": key_due, "key_due_count": key_due_count}


def work_reminders(request):
    from steward.worklog.warnings import (
        KEY_CUSTOMERS,
        KIND_LABELS,
        REMINDERS,
        counts_by_rm,
        reminders_left_open_before,
        supervised_rms,
        work_warning_counts,
    )

    def reminders_left_open():
        before = reminders_left_open_before(timezone.localdate())
        return sum(1 for row in _book_reminders(request) if row[4] and row[2] < before)

    counts = work_warning_counts(
        request.user,
        counted={KEY_CUSTOMERS: lambda: _key_customers_due(request)[1], REMINDERS: reminders_left_open},
    )
    rows = [{"kind": kind, "label": KIND_LABELS[kind], "count": n} for kind, n in counts.items()]
    # A supervisor also sees their team's total (the page lists it by RM): a fixed number of
    # queries, one per kind, whatever the team.
    team = list(supervised_rms(request.user).values_list("pk", flat=True)[:200])
    team_total = sum(sum(kinds.values()) for kinds in counts_by_rm(request.user, team).values()) if team else None
    return {"rows": rows, "total": sum(counts.values()), "team_total": team_total}


def team_context(request):
    return {"rows": services.team_rows(request.user, timezone.localdate())}


def bulletin(request):
    from steward.notices.services import current_notices_for

    return {"notices": list(current_notices_for(request.user)[:5])}


register_widget(
    HomeWidget(
        "today",
        _("Today"),
        "contactplans.plan:add",
        "workbench/widgets/today.html",
        today_context,
        order=1,
        size="half",
    )
)
register_widget(
    HomeWidget(
        "my_book",
        _("My book"),
        "contactplans.plan:add",
        "workbench/widgets/book.html",
        book_context,
        order=2,
        size="half",
    )
)
register_widget(
    HomeWidget(
        "customer_assistant",
        _("Customer assistant"),
        "contactplans.plan:add",
        "workbench/widgets/customer_assistant.html",
        customer_assistant,
        order=4,
    )
)
register_widget(
    HomeWidget(
        "service_assistant",
        _("Service assistant"),
        "contactplans.key:view",
        "workbench/widgets/service_assistant.html",
        service_assistant,
        order=6,
    )
)
register_widget(
    HomeWidget(
        "product_assistant",
        _("Product assistant"),
        "holdings.reminder:view",
        "workbench/widgets/product_assistant.html",
        product_assistant,
        order=5,
    )
)
register_widget(
    HomeWidget(
        "customer_reminders",
        _("Customer reminders"),
        "holdings.reminder:view",
        "workbench/widgets/customer_reminders.html",
        customer_reminders,
        order=7,
    )
)
register_widget(
    HomeWidget(
        "work_reminders",
        _("Work reminders"),
        "worklog.entry:view",
        "workbench/widgets/work_reminders.html",
        work_reminders,
        order=8,
    )
)
register_widget(
    HomeWidget(
        "team",
        _("My team"),
        "org.employee:supervise",
        "workbench/widgets/team.html",
        team_context,
        order=3,
        size="full",
    )
)
register_widget(
    HomeWidget(
        "bulletin",
        _("Bulletin board"),
        "",
        "workbench/widgets/bulletin.html",
        bulletin,
        order=9,
    )
)
