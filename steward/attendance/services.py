"""Attendance, quotas and the task calendar's day statuses (TASK-05 … TASK-07, OFF-07).

Every rule of the module is here, called by the pages, the API, the home widget and the other
modules (allocation and assigned tasks ask ``on_leave``).

A day of a person on the task calendar is, in this order:
1. a public holiday — the holiday calendar (basedata ``CalendarDay``) says so, or the person's
   attendance does ("public holiday") — complete;
2. leave (leave, sick leave) — complete, whatever was done;
3. not a working day (a Saturday or Sunday the holiday calendar does not make a working day in
   lieu) — not applicable, counted complete;
4. a working day without any quota that fits the person — "no quota", counted complete;
5. otherwise complete when, for every measure with a quota, done ≥ the daily target; short when
   it is over and one is below; still open when it is today or later.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from steward.access.services import require_permission
from steward.attendance.measures import MEASURES, measure_label
from steward.attendance.models import OFF_STATUSES, AttendanceDay, Quota
from steward.attendance.permissions import ATTENDANCE_CHANGE, CALENDAR_VIEW, QUOTA_CHANGE, QUOTA_VIEW
from steward.audit.services import log_bulk
from steward.core.errors import DomainError
from steward.core.services import service

# At most a year of days recorded at once (a long leave is recorded in parts).
MAX_RECORD_DAYS = 366
# The task calendar reads at most this many days at once (a month view shows six weeks).
MAX_CALENDAR_DAYS = 100
# Rows written per INSERT.
BATCH = 2000


# ---------------------------------------------------------------- attendance


def on_leave(employee_ids: Iterable[int], day: dt.date) -> set[int]:
    """Those of `employee_ids` away on `day`: on leave or on a personal public holiday by their
    attendance, or whose employee status is "on leave". Allocation and assigned tasks skip them
    (LEAD-08). Two queries, whatever the number of people."""
    from steward.org.models import Employee

    ids = list({int(pk) for pk in employee_ids})
    if not ids:
        return set()
    away = set(
        AttendanceDay.objects.filter(employee_id__in=ids, date=day, status__in=OFF_STATUSES).values_list(
            "employee_id", flat=True
        )
    )
    away |= set(Employee.objects.filter(pk__in=ids, status=Employee.Status.ON_LEAVE).values_list("pk", flat=True))
    return away


def parse_day(value, field: str) -> dt.date:
    """A date from a date, a date-time or text starting YYYY-MM-DD (FullCalendar sends ISO times);
    else a DomainError naming `field`. Years outside 1900 … 2200 are refused: nobody keeps
    attendance there, and day arithmetic near the ends of the calendar overflows."""
    if isinstance(value, dt.datetime):
        day = value.date()
    elif isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value or "").strip()[:10])
        except ValueError:
            raise DomainError(_("Enter a date as YYYY-MM-DD."), field) from None
    if not 1900 <= day.year <= 2200:
        raise DomainError(_("Enter a date between the years 1900 and 2200."), field)
    return day


def _days(start: dt.date, end: dt.date) -> list[dt.date]:
    return [start + dt.timedelta(days=offset) for offset in range((end - start).days + 1)]


@service
def record_attendance(actor, employee_ids: Iterable[int], start, end, status: str, note: str = "", *, now=None) -> int:
    """Record `status` for every one of `employee_ids` on every day from `start` to `end` (both
    included; OFF-07): one person or many, one day or a range, written set-based (INSERT … ON
    CONFLICT UPDATE: a day recorded before is replaced) and audited as one bulk entry. Recording
    "normal" puts days back to normal attendance. Answers how many person-days were written.
    All or nothing: an employee outside the actor's scope refuses the whole record."""
    from steward.org.models import Employee

    require_permission(actor, ATTENDANCE_CHANGE)
    now = now or timezone.now()
    try:
        wanted = {int(pk) for pk in employee_ids}
    except (TypeError, ValueError):
        raise DomainError(_("Choose employees by their ids."), "employees") from None
    if not wanted:
        raise DomainError(_("Choose at least one employee."), "employees")
    if status not in AttendanceDay.Status.values:
        raise DomainError(_("Choose one of the attendance kinds offered."), "status")
    first, last = parse_day(start, "start"), parse_day(end or start, "end")
    if last < first:
        raise DomainError(_("The last day must not come before the first."), "end")
    if (last - first).days >= MAX_RECORD_DAYS:
        raise DomainError(_("Record at most %(days)s days at once.") % {"days": MAX_RECORD_DAYS}, "end")
    note = (note or "").strip()
    if len(note) > 200:
        raise DomainError(_("The note has at most 200 characters."), "note")
    in_scope = set(
        Employee.objects.visible_to(actor, ATTENDANCE_CHANGE).filter(pk__in=wanted).values_list("pk", flat=True)
    )
    if in_scope != wanted:
        raise DomainError(
            _("%(count)s of the chosen employees are not in your data scope: nothing was recorded.")
            % {"count": len(wanted - in_scope)},
            "employees",
        )
    days = _days(first, last)
    people = sorted(wanted)
    per_batch = max(1, BATCH // len(days))
    for index in range(0, len(people), per_batch):
        AttendanceDay.objects.bulk_create(
            [
                AttendanceDay(employee_id=pk, date=day, status=status, note=note, recorded_by=actor, recorded_at=now)
                for pk in people[index : index + per_batch]
                for day in days
            ],
            update_conflicts=True,
            unique_fields=["employee", "date"],
            update_fields=["status", "note", "recorded_by", "recorded_at"],
        )
    ids = AttendanceDay.objects.filter(employee_id__in=people, date__range=(first, last)).values_list("pk", flat=True)
    log_bulk(
        "attendance.recorded",
        AttendanceDay,
        ids,
        actor=actor,
        message=f"{status} {first.isoformat()} – {last.isoformat()}, {len(people)} employees",
    )
    return len(people) * len(days)


@service
def delete_attendance_day(actor, row: AttendanceDay) -> None:
    """Remove a recorded day: the person's attendance that day is normal again (audited by the
    change capture)."""
    require_permission(actor, ATTENDANCE_CHANGE)
    row.delete()


# ---------------------------------------------------------------- quotas


@service
def save_quota(actor, quota: Quota) -> Quota:
    """Create or change a quota (TASK-06) for an org in the actor's scope. A second quota for the
    same measure, org, level and tier over an overlapping period is refused: which one applied
    would be a guess."""
    from steward.basedata.services import code_choices
    from steward.org.models import Org

    require_permission(actor, QUOTA_CHANGE)
    if quota.measure not in MEASURES:
        raise DomainError(_("Choose one of the measures offered."), "measure")
    quota.level, quota.tier = (quota.level or "").strip(), (quota.tier or "").strip()
    for field, table, value in (("level", "employee_level", quota.level), ("tier", "employee_tier", quota.tier)):
        if value and value not in dict(code_choices(table, blank=False)):
            raise DomainError(_("Choose one of the values offered, or leave it empty for every one."), field)
    if quota.org_id is None or not Org.objects.visible_to(actor, QUOTA_CHANGE).filter(pk=quota.org_id).exists():
        raise DomainError(_("Choose an org in your data scope."), "org")
    if quota.active_to is not None and quota.active_from and quota.active_to < quota.active_from:
        raise DomainError(_("The quota must end on or after the day it starts."), "active_to")
    overlapping = Quota.objects.filter(
        measure=quota.measure, org_id=quota.org_id, level=quota.level, tier=quota.tier
    ).exclude(pk=quota.pk)
    if quota.active_to is not None:
        overlapping = overlapping.filter(active_from__lte=quota.active_to)
    overlapping = overlapping.filter(Q(active_to__isnull=True) | Q(active_to__gte=quota.active_from))
    if overlapping.exists():
        raise DomainError(
            _(
                "This org already has a quota of this measure for this level and tier in that period: change it instead."
            ),
            "active_from",
        )
    quota.full_clean()
    quota.save()
    return quota


@service
def delete_quota(actor, quota: Quota) -> None:
    require_permission(actor, QUOTA_CHANGE)
    quota.delete()


def visible_quotas(user, permission: str = QUOTA_VIEW):
    """The quotas of the orgs in the user's data scope, and those set above it that apply to its
    people: a team lead reads head office's quota for the team too (changing one still needs
    the org itself in scope: ``Quota.objects.visible_to(user, QUOTA_CHANGE)``)."""
    from steward.access.scope import SCOPE_OWN
    from steward.access.services import grants_for

    scoped = Quota.objects.visible_to(user, permission)
    if user is None or not user.is_authenticated or user.is_superuser:
        return scoped
    grants = grants_for(user, permission)
    paths = {grant.org_path for grant in grants if grant.org_path}
    if any(grant.scope == SCOPE_OWN for grant in grants):
        paths.add(user.org.path)
    above = {int(part) for path in paths for part in path.strip("/").split("/") if part}
    return Quota.objects.filter(Q(pk__in=scoped.values("pk")) | Q(org_id__in=above))


@dataclass(frozen=True)
class _Person:
    pk: int
    org_path: str
    level: str
    tier: str


@dataclass(frozen=True)
class _QuotaRule:
    measure: str
    org_path: str
    org_depth: int
    level: str
    tier: str
    target: int
    active_from: dt.date
    active_to: dt.date | None
    pk: int

    def fits(self, person: _Person) -> bool:
        return (
            person.org_path.startswith(self.org_path)
            and self.level in ("", person.level)
            and self.tier in ("", person.tier)
        )

    def active_on(self, day: dt.date) -> bool:
        return self.active_from <= day and (self.active_to is None or day <= self.active_to)

    @property
    def precedence(self) -> tuple:
        # The nearest org, then the more specific grade, then the newest.
        return (self.org_depth, bool(self.level) + bool(self.tier), self.active_from, self.pk)


def _quota_rules(start: dt.date, end: dt.date) -> list[_QuotaRule]:
    rows = (
        Quota.objects.filter(active_from__lte=end)
        .filter(Q(active_to__isnull=True) | Q(active_to__gte=start))
        .values_list(
            "measure", "org__path", "org__depth", "level", "tier", "daily_target", "active_from", "active_to", "pk"
        )
    )
    return [_QuotaRule(*row) for row in rows if row[0] in MEASURES]


def targets_by_day(people: list[_Person], days: list[dt.date], rules: list[_QuotaRule]) -> dict:
    """{(person id, day): {measure: daily target}} from the quotas that fit each person and day."""
    answer = {}
    for person in people:
        fitting = [rule for rule in rules if rule.fits(person)]
        for day in days:
            chosen: dict[str, _QuotaRule] = {}
            for rule in fitting:
                if rule.active_on(day) and (
                    rule.measure not in chosen or rule.precedence > chosen[rule.measure].precedence
                ):
                    chosen[rule.measure] = rule
            answer[(person.pk, day)] = {measure: rule.target for measure, rule in chosen.items()}
    return answer


# ---------------------------------------------------------------- the task calendar


class DayState:
    COMPLETE = "complete"
    SHORT = "short"
    OPEN = "open"
    LEAVE = "leave"
    HOLIDAY = "holiday"
    NOT_WORKING_DAY = "not_working_day"
    NO_QUOTA = "no_quota"


DAY_STATE_LABELS = {
    DayState.COMPLETE: gettext_lazy("Complete"),
    DayState.SHORT: gettext_lazy("Below quota"),
    DayState.OPEN: gettext_lazy("In progress"),
    DayState.LEAVE: gettext_lazy("On leave"),
    DayState.HOLIDAY: gettext_lazy("Public holiday"),
    DayState.NOT_WORKING_DAY: gettext_lazy("Not a working day"),
    DayState.NO_QUOTA: gettext_lazy("No quota"),
}
COMPLETE_STATES = frozenset(
    {DayState.COMPLETE, DayState.LEAVE, DayState.HOLIDAY, DayState.NOT_WORKING_DAY, DayState.NO_QUOTA}
)


@dataclass(frozen=True)
class MeasureProgress:
    measure: str
    done: int
    target: int

    @property
    def label(self) -> str:
        return measure_label(self.measure)

    @property
    def met(self) -> bool:
        return self.done >= self.target


@dataclass(frozen=True)
class DayStatus:
    """One person's day on the task calendar (TASK-05)."""

    employee_id: int
    day: dt.date
    state: str
    attendance: str  # AttendanceDay.Status; "normal" when nothing was recorded
    holiday_name: str
    progress: tuple[MeasureProgress, ...]

    @property
    def complete(self) -> bool:
        return self.state in COMPLETE_STATES

    @property
    def state_label(self) -> str:
        return str(DAY_STATE_LABELS[self.state])

    @property
    def attendance_label(self) -> str:
        return str(AttendanceDay.Status(self.attendance).label)


def check_calendar_range(start, end) -> tuple[dt.date, dt.date]:
    first, last = parse_day(start, "start"), parse_day(end, "end")
    if last < first:
        raise DomainError(_("The end of the range must not come before its start."), "end")
    if (last - first).days >= MAX_CALENDAR_DAYS:
        raise DomainError(_("Ask for at most %(days)s days at a time.") % {"days": MAX_CALENDAR_DAYS}, "end")
    return first, last


def day_status(employee_ids: Iterable[int], start: dt.date, end: dt.date, *, today: dt.date | None = None) -> dict:
    """{(employee id, day): DayStatus} for every one of `employee_ids` and every day from `start`
    to `end` (both included), set-based: the people, their attendance, the holiday calendar and
    the quotas are one query each, and each measure with a quota is one grouped query over all
    the people and days (never a query per person or day). The caller has checked who may see
    whom (``calendar_employees``)."""
    from steward.basedata import calendar
    from steward.org.models import Employee

    start, end = check_calendar_range(start, end)
    today = today or timezone.localdate()
    people = [
        _Person(pk, path, level or "", tier or "")
        for pk, path, level, tier in Employee.objects.filter(pk__in={int(pk) for pk in employee_ids}).values_list(
            "pk", "org__path", "level", "tier"
        )
    ]
    if not people:
        return {}
    ids = [person.pk for person in people]
    days = _days(start, end)
    attendance = {
        (pk, day): status
        for pk, day, status in AttendanceDay.objects.filter(employee_id__in=ids, date__range=(start, end)).values_list(
            "employee_id", "date", "status"
        )
    }
    holidays = {row.date: row.display_name for row in calendar.holidays_in(start, end) if row.kind == "holiday"}
    working = {day: calendar.is_business_day(day) for day in days}
    targets = targets_by_day(people, days, _quota_rules(start, end))
    measures = sorted({measure for wanted in targets.values() for measure in wanted})
    done = {measure: MEASURES[measure].counter(ids, start, end) for measure in measures}

    answer = {}
    for person in people:
        for day in days:
            key = (person.pk, day)
            wanted = targets[key]
            progress = tuple(
                MeasureProgress(measure, done[measure].get(key, 0), wanted[measure]) for measure in sorted(wanted)
            )
            status = attendance.get(key, AttendanceDay.Status.NORMAL)
            if day in holidays or status == AttendanceDay.Status.PUBLIC_HOLIDAY:
                state = DayState.HOLIDAY
            elif status in OFF_STATUSES:
                state = DayState.LEAVE
            elif not working[day]:
                state = DayState.NOT_WORKING_DAY
            elif not progress:
                state = DayState.NO_QUOTA
            elif all(item.met for item in progress):
                state = DayState.COMPLETE
            else:
                state = DayState.OPEN if day >= today else DayState.SHORT
            answer[key] = DayStatus(person.pk, day, state, status, holidays.get(day, ""), progress)
    return answer


def calendar_employees(user):
    """The people whose task calendar `user` may see: the employees of their data scope under
    the calendar permission (an RM: themself; a team lead: the team; a branch manager: the
    branch), still working here."""
    from steward.org.models import Employee

    require_permission(user, CALENDAR_VIEW)
    return (
        Employee.objects.visible_to(user, CALENDAR_VIEW)
        .exclude(status=Employee.Status.LEFT)
        .select_related("org")
        .order_by("org__path", "employee_no")
    )


def calendar_person(user, employee_id=None):
    """The person whose calendar is asked for (default: the user), who must be in the user's
    calendar scope; else a DomainError on the field "employee"."""
    queryset = calendar_employees(user)
    wanted = user.pk if employee_id in (None, "") else employee_id
    try:
        wanted = int(wanted)
    except (TypeError, ValueError):
        raise DomainError(_("Choose a person from the list."), "employee") from None
    person = queryset.filter(pk=wanted).first() if 0 < wanted < 2**63 else None
    if person is None:
        if employee_id in (None, ""):  # the user is not in their own calendar scope: the first one who is
            person = queryset.first()
        if person is None:
            raise DomainError(_("That person's task calendar is not in your data scope."), "employee")
    return person


def status_json(status: DayStatus) -> dict:
    """One day status as the API and the calendar page read it."""
    return {
        "employee": status.employee_id,
        "date": status.day.isoformat(),
        "state": status.state,
        "state_label": status.state_label,
        "complete": status.complete,
        "attendance": status.attendance,
        "attendance_label": status.attendance_label,
        "holiday": status.holiday_name,
        "measures": [
            {"measure": item.measure, "label": item.label, "done": item.done, "target": item.target, "met": item.met}
            for item in status.progress
        ],
    }


STATE_COLOURS = {
    DayState.COMPLETE: "#2fb344",
    DayState.SHORT: "#d63939",
    DayState.OPEN: "#f59f00",
    DayState.LEAVE: "#4299e1",
    DayState.HOLIDAY: "#ae3ec9",
    DayState.NOT_WORKING_DAY: "#adb5bd",
    DayState.NO_QUOTA: "#adb5bd",
}


def calendar_events(statuses: Iterable[DayStatus]) -> list[dict]:
    """FullCalendar events of one person's days: a background colour per day by its state and,
    per day, one entry per measure ("Valid calls 3 / 5"), or the reason the day is complete."""
    events = []
    for status in statuses:
        day = status.day.isoformat()
        colour = STATE_COLOURS[status.state]
        events.append(
            {
                "start": day,
                "allDay": True,
                "display": "background",
                "color": colour,
                "classNames": [f"day-{status.state}"],
            }
        )
        if status.state in (DayState.LEAVE, DayState.HOLIDAY):
            if status.state == DayState.HOLIDAY:
                title = status.holiday_name or status.state_label
            else:
                title = status.attendance_label
            events.append(
                {"title": title, "start": day, "allDay": True, "color": colour, "extendedProps": status_json(status)}
            )
            continue
        if status.state == DayState.NOT_WORKING_DAY:
            continue
        for item in status.progress:
            events.append(
                {
                    "title": f"{item.label} {item.done} / {item.target}",
                    "start": day,
                    "allDay": True,
                    "color": STATE_COLOURS[DayState.COMPLETE] if item.met else colour,
                    "extendedProps": status_json(status),
                }
            )
    return events


def week_of(day: dt.date) -> tuple[dt.date, dt.date]:
    monday = day - dt.timedelta(days=day.weekday())
    return monday, monday + dt.timedelta(days=6)


@dataclass(frozen=True)
class TeamRow:
    employee: object
    days: tuple[DayStatus, ...]

    @property
    def complete_days(self) -> int:
        return sum(1 for status in self.days if status.complete)


def team_week(user, day: dt.date, *, limit: int = 200, today: dt.date | None = None) -> list[TeamRow]:
    """The week of `day` for the people of the user's calendar scope (at most `limit`, the
    first by org and employee number): one row per person, one status per day."""
    people = list(calendar_employees(user)[:limit])
    first, last = week_of(day)
    statuses = day_status([person.pk for person in people], first, last, today=today)
    return [
        TeamRow(person, tuple(statuses[(person.pk, d)] for d in _days(first, last)))
        for person in people
        if (person.pk, first) in statuses
    ]
