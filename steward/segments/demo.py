"""Demo data of the segments app: two saved segments for the demo RM and the marketing login."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from steward.segments.models import Segment

DEMO_SEGMENTS = [
    (
        "rm",
        "中年稳健客户（R3+，50万–500万）",
        Segment.Kind.DYNAMIC,
        {
            "op": "and",
            "rules": [
                {"field": "age", "operator": "between", "value": [30, 50]},
                {"field": "risk_level", "operator": "gte", "value": "R3"},
                {"field": "aum", "operator": "between", "value": ["500000", "5000000"]},
            ],
        },
    ),
    (
        "marketing",
        "持有理财、未持有基金",
        Segment.Kind.SNAPSHOT,
        {
            "op": "and",
            "rules": [
                {"field": "category", "operator": "holds", "value": ["wealth"]},
                {"field": "category", "operator": "not_holds", "value": ["funds"]},
            ],
        },
    ),
]


def seed_demo_segments(now=None) -> int:
    """Idempotent: a login that already owns segments, or lacks the permission, is skipped."""
    from steward.core.errors import DomainError
    from steward.org.models import Employee
    from steward.segments.services import create_segment

    now = now or timezone.now()
    created = 0
    for login, name, kind, definition in DEMO_SEGMENTS:
        owner = Employee.objects.filter(employee_no=login).first()
        if owner is None or Segment.objects.filter(owner=owner, name=name).exists():
            continue
        try:
            create_segment(owner, name=name, kind=kind, definition=definition, now=now)
        except (PermissionDenied, DomainError):
            continue
        created += 1
    return created
