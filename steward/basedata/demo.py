"""Demo data of the holiday calendar: 2026's public holidays as the State Council announced them
(国务院办公厅关于2026年部分节假日安排的通知), so business days count right in the demo."""

from steward.basedata.models import CalendarDay
from steward.org.models import Employee

HOLIDAYS_2026 = """
2026-01-01..2026-01-03 | holiday | 元旦 | New Year's Day
2026-01-04 | workday | 元旦调休上班 | New Year's Day (worked in lieu)
2026-02-14 | workday | 春节调休上班 | Spring Festival (worked in lieu)
2026-02-15..2026-02-23 | holiday | 春节 | Spring Festival
2026-02-28 | workday | 春节调休上班 | Spring Festival (worked in lieu)
2026-04-04..2026-04-06 | holiday | 清明节 | Qingming Festival
2026-05-01..2026-05-05 | holiday | 劳动节 | Labour Day
2026-05-09 | workday | 劳动节调休上班 | Labour Day (worked in lieu)
2026-06-19..2026-06-21 | holiday | 端午节 | Dragon Boat Festival
2026-09-20 | workday | 国庆节调休上班 | National Day (worked in lieu)
2026-09-25..2026-09-27 | holiday | 中秋节 | Mid-Autumn Festival
2026-10-01..2026-10-07 | holiday | 国庆节 | National Day
2026-10-10 | workday | 国庆节调休上班 | National Day (worked in lieu)
"""


def seed_demo_basedata() -> int:
    from steward.basedata.services import import_calendar_lines

    admin = Employee.objects.filter(employee_no="admin").first()
    if admin is None or CalendarDay.objects.exists():
        return 0
    return import_calendar_lines(admin, HOLIDAYS_2026)
