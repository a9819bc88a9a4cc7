"""Reading and changing code tables and parameters — PLT-06.

Services elsewhere read through `parameter()` and `code_items()`; both are cached and the
cache is dropped whenever an administrator saves (or presses "refresh cache"). Without
Redis each process keeps its own copy for at most CACHE_SECONDS.
"""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from steward.access.services import require_permission
from steward.audit.services import log_bulk, log_event
from steward.basedata import calendar
from steward.basedata.defaults import CODE_TABLES, PARAMETERS
from steward.basedata.models import CalendarDay, CodeItem, CodeTable, SystemParameter, parse_parameter
from steward.core.errors import DomainError
from steward.core.services import service

CACHE_SECONDS = 60
PARAMETERS_KEY = "steward:parameters"
CODES_KEY = "steward:codes:{}"


def _load_parameters() -> dict:
    values = {}
    for key, value_type, value, default in SystemParameter.objects.values_list("key", "value_type", "value", "default"):
        values[key] = parse_parameter(value_type, value if value != "" else default)
    return values


def parameter(key: str):
    """The typed current value of a system parameter."""
    values = cache.get(PARAMETERS_KEY)
    if values is None or key not in values:
        values = _load_parameters()
        cache.set(PARAMETERS_KEY, values, CACHE_SECONDS)
    if key not in values:
        spec = next((p for p in PARAMETERS if p.key == key), None)
        if spec is None:
            raise KeyError(f"Unknown system parameter {key!r}")
        return parse_parameter(spec.value_type, spec.default)
    return values[key]


def code_items(table_code: str) -> list[tuple[str, str, str]]:
    """Active (code, Chinese label, English label) entries of a code table, in order."""
    key = CODES_KEY.format(table_code)
    items = cache.get(key)
    if items is None:
        items = list(
            CodeItem.objects.filter(table__code=table_code, is_active=True)
            .order_by("sort_order", "code")
            .values_list("code", "label", "label_en")
        )
        cache.set(key, items, CACHE_SECONDS)
    return items


def code_choices(table_code: str, blank: bool = True) -> list[tuple[str, str]]:
    english = (translation.get_language() or "").startswith("en")
    choices = [(code, (label_en or label) if english else label) for code, label, label_en in code_items(table_code)]
    return ([("", "---------")] if blank else []) + choices


def code_label(table_code: str, code: str) -> str:
    return dict(code_choices(table_code, blank=False)).get(code, code)


REFRESH_PERMISSION = "basedata.parameter:change"


@service
def refresh_cache(actor) -> dict:
    """The "refresh system cache" button (PLT-06, requirements 003 §1 刷新系统缓存): services read
    system parameters and code tables again from the database, and lists count their rows
    again (the cached counts and estimates of steward.core.counting), so a change made outside
    Steward's own pages (a DBA, a data fix) shows at once. Permissions and data scopes are never
    cached across requests, so there is nothing of theirs to drop; security counters (attempt
    limits) and live progress are not caches and are kept. Audited; answers what was dropped.

    Without Redis each server process keeps its own cache: the other processes drop theirs when
    their entries expire (parameters and code tables within CACHE_SECONDS)."""
    from steward.core.counting import bump_data_generation

    require_permission(actor, REFRESH_PERMISSION)
    tables = list(CodeTable.objects.values_list("code", flat=True))
    cache.delete(PARAMETERS_KEY)
    cache.delete_many([CODES_KEY.format(code) for code in tables])
    calendar.forget_all()
    bump_data_generation()
    dropped = {"parameters": True, "code_tables": len(tables), "holiday_calendar": True, "list_counts": True}
    log_event(
        "basedata.cache_refreshed",
        None,
        message=f"parameters, {len(tables)} code tables, holiday calendar, list counts",
    )
    return dropped


@service
def set_parameter(actor, key: str, raw_value: str) -> SystemParameter:
    require_permission(actor, "basedata.parameter:change")
    param = SystemParameter.objects.select_for_update().filter(key=key).first()
    if param is None:
        raise DomainError(_("Unknown system parameter %(key)s.") % {"key": key}, field="key")
    param.value = raw_value.strip()
    param.full_clean()
    param.save()
    transaction.on_commit(lambda: cache.delete(PARAMETERS_KEY))
    return param


@service
def save_code_table(actor, table: CodeTable) -> CodeTable:
    require_permission(actor, "basedata.codetable:change")
    table.full_clean()
    table.save()
    return table


@service
def save_code_items(actor, table: CodeTable, items: list[dict]) -> list[CodeItem]:
    """Replace the table's items with `items` (dicts of code, label, label_en, sort_order, is_active,
    and optionally row: the line the item came from, used in error messages).

    Codes that disappear are deactivated, not deleted, because stored records still use them.
    """
    require_permission(actor, "basedata.codetable:change")
    seen: set[str] = set()
    for index, item in enumerate(items, start=1):
        row = item.get("row", index)  # the editor's own line number when the items came from one
        code = (item.get("code") or "").strip()
        if not code:
            raise DomainError(_("Row %(row)s: the code is empty.") % {"row": row}, field="code")
        if code in seen:
            raise DomainError(
                _("Row %(row)s: the code %(code)s appears twice.") % {"row": row, "code": code}, field="code"
            )
        if not (item.get("label") or "").strip():
            raise DomainError(_("Row %(row)s: the Chinese label is empty.") % {"row": row}, field="label")
        seen.add(code)
    saved = []
    for index, item in enumerate(items, start=1):
        obj, _created = CodeItem.objects.update_or_create(
            table=table,
            code=item["code"].strip(),
            defaults={
                "label": item["label"].strip(),
                "label_en": (item.get("label_en") or "").strip(),
                "sort_order": item.get("sort_order") or index,
                "is_active": item.get("is_active", True),
            },
        )
        saved.append(obj)
    table.items.exclude(code__in=seen).update(is_active=False)
    transaction.on_commit(lambda: cache.delete(CODES_KEY.format(table.code)))
    return saved


CALENDAR_PERMISSION = "basedata.calendar:change"


def _forget_on_commit(years) -> None:
    # Now, for the rest of this transaction, and again after the commit: another request may
    # have cached the old days in between.
    years = set(years)
    calendar.forget_years(years)
    transaction.on_commit(lambda: calendar.forget_years(years))


@service
def save_calendar_day(actor, day: CalendarDay) -> CalendarDay:
    """Record (or change) one exception of the working week; audited by the model's change capture."""
    require_permission(actor, CALENDAR_PERMISSION)
    previous_year = None
    if day.pk:
        previous_year = CalendarDay.objects.filter(pk=day.pk).values_list("date__year", flat=True).first()
    day.name, day.name_en = day.name.strip(), day.name_en.strip()
    day.full_clean()
    day.save()
    _forget_on_commit({day.date.year, previous_year or day.date.year})
    return day


@service
def delete_calendar_day(actor, day: CalendarDay) -> None:
    """The day follows the working week again (a weekday is a business day, a weekend day not)."""
    require_permission(actor, CALENDAR_PERMISSION)
    year = day.date.year
    day.delete()
    _forget_on_commit({year})


def parse_calendar_lines(text: str) -> list[dict]:
    """Lines pasted from the State Council's annual notice, one day or range per line::

        2026-02-15..2026-02-23 | holiday | 春节 | Spring Festival
        2026-02-14 | workday | 春节调休 | Spring Festival (worked in lieu)

    The kind is ``holiday`` / ``workday`` (or 休 / 班); names are optional. A range of holidays
    keeps its weekend days too, so the calendar names them. Errors name the line."""
    kinds = {"holiday": CalendarDay.Kind.HOLIDAY, "休": CalendarDay.Kind.HOLIDAY}
    kinds |= {"workday": CalendarDay.Kind.WORKDAY, "班": CalendarDay.Kind.WORKDAY}
    days: dict = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        parts = [part.strip() for part in line.split("|")]
        if not 2 <= len(parts) <= 4:
            raise DomainError(
                _(
                    "Line %(line)s: expected “date or first..last date | holiday or workday | Chinese name | English name”."
                )
                % {"line": number},
                field="lines",
            )
        first_text, _sep, last_text = parts[0].partition("..")
        try:
            first = dt.date.fromisoformat(first_text.strip())
            last = dt.date.fromisoformat(last_text.strip()) if last_text.strip() else first
        except ValueError:
            raise DomainError(
                _("Line %(line)s: “%(value)s” is not a date as YYYY-MM-DD or a range YYYY-MM-DD..YYYY-MM-DD.")
                % {"line": number, "value": parts[0][:40]},
                field="lines",
            ) from None
        if last < first or (last - first).days > 31:
            raise DomainError(
                _("Line %(line)s: a range runs forwards and covers at most 32 days.") % {"line": number},
                field="lines",
            )
        kind = kinds.get(parts[1].lower())
        if kind is None:
            raise DomainError(
                _("Line %(line)s: the kind “%(value)s” is neither holiday (休) nor workday (班).")
                % {"line": number, "value": parts[1][:20]},
                field="lines",
            )
        name = parts[2] if len(parts) > 2 else ""
        name_en = parts[3] if len(parts) > 3 else ""
        if len(name) > 50 or len(name_en) > 50:
            raise DomainError(_("Line %(line)s: a name has at most 50 characters.") % {"line": number}, field="lines")
        day = first
        while day <= last:
            if kind == CalendarDay.Kind.WORKDAY and day.weekday() < 5:
                raise DomainError(
                    _(
                        "Line %(line)s: %(date)s is a weekday, a business day already: only a Saturday or Sunday can be worked in lieu."
                    )
                    % {"line": number, "date": day.isoformat()},
                    field="lines",
                )
            if day in days:
                raise DomainError(
                    _("Line %(line)s: %(date)s is already on line %(other)s.")
                    % {"line": number, "date": day.isoformat(), "other": days[day]["line"]},
                    field="lines",
                )
            days[day] = {"date": day, "kind": kind, "name": name, "name_en": name_en, "line": number}
            day += dt.timedelta(days=1)
    if not days:
        raise DomainError(_("Paste at least one line."), field="lines")
    return list(days.values())


@service
def import_calendar_lines(actor, text: str) -> int:
    """Record every day of the pasted lines (a day already recorded is replaced); all or nothing.
    Written in one statement and audited as one bulk entry; answers how many days were written."""
    require_permission(actor, CALENDAR_PERMISSION)
    parsed = parse_calendar_lines(text)
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=d["date"], kind=d["kind"], name=d["name"], name_en=d["name_en"]) for d in parsed],
        update_conflicts=True,
        unique_fields=["date"],
        update_fields=["kind", "name", "name_en", "updated_at"],
    )
    dates = [d["date"] for d in parsed]
    ids = CalendarDay.objects.filter(date__in=dates).values_list("pk", flat=True)
    log_bulk("basedata.calendar_imported", CalendarDay, ids, message=f"{min(dates)} – {max(dates)}")
    _forget_on_commit({day.year for day in dates})
    return len(parsed)


def sync_declared_defaults(**kwargs) -> None:
    """Create declared code tables, items and parameters that are missing (post_migrate)."""
    for spec in PARAMETERS:
        SystemParameter.objects.get_or_create(
            key=spec.key,
            defaults={
                "value_type": spec.value_type,
                "value": spec.default,
                "default": spec.default,
                "label": spec.label,
                "label_en": spec.label_en,
                "group": spec.group,
                "min_value": spec.min_value,
                "max_value": spec.max_value,
            },
        )
    for spec in CODE_TABLES:
        table, created = CodeTable.objects.get_or_create(
            code=spec.code, defaults={"name": spec.name, "name_en": spec.name_en, "is_system": True}
        )
        if created:
            CodeItem.objects.bulk_create(
                [
                    CodeItem(table=table, code=code, label=label, label_en=label_en, sort_order=i)
                    for i, (code, label, label_en) in enumerate(spec.items, start=1)
                ]
            )
    cache.delete(PARAMETERS_KEY)
