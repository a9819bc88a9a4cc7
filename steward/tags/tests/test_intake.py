"""Rule tags follow the daily intake: a real generated day is loaded and the rules recomputed."""

import datetime as dt

from django.utils import timezone

from steward.customers.models import Customer
from steward.holdings.generator import generate_day
from steward.holdings.intake import load_day
from steward.jobs.registry import jobs as job_registry
from steward.segments.definition import compile_definition
from steward.tags.models import CustomerTag
from steward.tags.tests.factories import CategoryFactory, TagFactory

DAY = dt.date(2026, 3, 31)
RICH = {"op": "and", "rules": [{"field": "aum", "operator": "gte", "value": "100000"}]}


def expected(tag, now):
    matching = Customer.objects.exclude(status=Customer.Status.MERGED).filter(
        compile_definition(tag.definition, timezone.localdate(now))
    )
    return set(matching.values_list("pk", flat=True))


def rule_links(tag):
    return set(CustomerTag.objects.filter(tag=tag, source="rule").values_list("customer_id", flat=True))


def test_rule_tags_are_recomputed_after_each_loaded_day_and_manual_tags_stay(bank, tmp_path):
    rich = TagFactory(category=CategoryFactory(), code="rich", kind="rule", definition=RICH)
    manual = TagFactory(code="vip")
    generate_day(tmp_path / "d1", 30, DAY, orgs=["N1T1", "S1T1"], owners=["NRM", "SRM"], seed=7)
    now = timezone.make_aware(dt.datetime(2026, 4, 1, 6, 0))
    load_day(None, tmp_path / "d1", DAY, now=now)
    first = rule_links(rich)
    assert first and first == expected(rich, now)
    someone = Customer.objects.order_by("pk").first()
    CustomerTag.objects.create(customer=someone, tag=manual, source="manual", tagged_at=now)

    # The next day: balances move, the rule follows; the manual tag is untouched.
    next_day = DAY + dt.timedelta(days=1)
    generate_day(tmp_path / "d2", 30, next_day, orgs=["N1T1", "S1T1"], owners=["NRM", "SRM"], seed=8)
    later = now + dt.timedelta(days=1)
    load_day(None, tmp_path / "d2", next_day, now=later)
    assert rule_links(rich) == expected(rich, later)
    assert CustomerTag.objects.filter(tag=manual).count() == 1

    # Loading the same day again changes nothing.
    snapshot = set(CustomerTag.objects.values_list("customer_id", "tag_id", "source", "tagged_at"))
    load_day(None, tmp_path / "d2", next_day, now=later + dt.timedelta(hours=1))
    assert set(CustomerTag.objects.values_list("customer_id", "tag_id", "source", "tagged_at")) == snapshot


def test_the_recompute_job_is_registered_and_reports_counts(bank, tmp_path):
    from steward.customers.tests.factories import CustomerFactory

    TagFactory(
        code="all-ages",
        kind="rule",
        definition={"op": "and", "rules": [{"field": "age", "operator": "gte", "value": 0}]},
    )
    CustomerFactory(org=bank.north_team, owner=bank.north_rm)
    job = job_registry.get("tags.recompute_rule_tags")
    assert job is not None
    assert job.func(None, timezone.now()) == {"processed": 1, "created": 1, "updated": 0}
