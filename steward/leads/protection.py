"""A holder's protection of a lead (LEAD-04, LEAD-09): which rule applies, and until when.

Rules are few (one per org and level at most): they are read whole, and each lead's rule is the
nearest one up its org's path — that org's rule for the lead's level, then its rule for every
level, then the same for its parent, …, then the bank-wide default (org empty), then the built-in
default of the sources (7 days to the first contact, one valid follow-up a month).

The deadline (`Lead.protected_until`) is stored, so the countdown is a plain read and the reclaim
job reads the expired ones by index. It is set when a lead is handed over and moved on by each
follow-up (`deadline_after_followup`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from steward.leads.models import Lead, ProtectionRule
from steward.org.models import Org

# Below "intent" a lead has not shown interest yet: the "follow-ups without intent" rule counts here.
BEFORE_INTENT = (Lead.Stage.NEW, Lead.Stage.CONTACTED)
# Out of the holders' race: no deadline.
UNPROTECTED = (Lead.Stage.CONVERTED, Lead.Stage.INVALID)


@dataclass(frozen=True)
class EffectiveRule:
    rule: ProtectionRule | None  # None: the built-in default
    first_contact_days: int = 7
    max_followups_without_intent: int | None = None
    min_valid_followups: int = 1
    valid_window_days: int = 30
    remind_days_before: int = 1

    @classmethod
    def of(cls, rule: ProtectionRule | None) -> EffectiveRule:
        if rule is None:
            return cls(None)
        return cls(
            rule,
            rule.first_contact_days,
            rule.max_followups_without_intent,
            max(rule.min_valid_followups, 1),
            rule.valid_window_days,
            rule.remind_days_before,
        )


class RuleBook:
    """Every active rule, and each org's path, read once; `for_lead(org_id, level)` is then free."""

    def __init__(self):
        self.rules = {(r.org_id, r.level): r for r in ProtectionRule.objects.filter(is_active=True)}
        self._paths: dict[int, list[int]] = {}
        self._cache: dict[tuple[int, str], EffectiveRule] = {}

    def _ancestry(self, org_id: int) -> list[int]:
        """The org and its ancestors, nearest first."""
        if org_id not in self._paths:
            self.prefetch([org_id])
        return self._paths[org_id]

    def prefetch(self, org_ids) -> None:
        """The ancestry of many orgs in two queries, for a hand-over to people in hundreds of teams."""
        wanted = set(org_ids) - set(self._paths)
        if not wanted:
            return
        paths = dict(Org.objects.filter(pk__in=wanted).values_list("pk", "path"))
        prefixes = {path[: i + 1] for path in paths.values() for i, ch in enumerate(path) if ch == "/"}
        ids = dict(Org.objects.filter(path__in=prefixes).values_list("path", "pk"))
        for org_id in wanted:
            path = paths.get(org_id, "")
            nearest_first = [path[: i + 1] for i in reversed(range(len(path))) if path[i] == "/"]
            self._paths[org_id] = [ids[prefix] for prefix in nearest_first if prefix in ids] or [org_id]

    def default(self) -> EffectiveRule:
        """No rule anywhere: the parameter leads.protection_days (7) to the first contact."""
        if not hasattr(self, "_default"):
            from steward.basedata.services import parameter

            days = parameter("leads.protection_days")
            self._default = EffectiveRule(None, first_contact_days=int(days) if days else 7)
        return self._default

    def for_lead(self, org_id: int, level: str) -> EffectiveRule:
        key = (org_id, level)
        if key not in self._cache:
            found = None
            for candidate in [*self._ancestry(org_id), None]:
                found = self.rules.get((candidate, level)) or self.rules.get((candidate, ""))
                if found is not None:
                    break
            self._cache[key] = EffectiveRule.of(found) if found is not None else self.default()
        return self._cache[key]


def first_deadline(rule: EffectiveRule, handed_over_at: dt.datetime) -> dt.datetime:
    return handed_over_at + dt.timedelta(days=rule.first_contact_days)


def deadline_after_followup(
    rule: EffectiveRule, *, assigned_at, stage: str, followups: int, valid_times: list[dt.datetime], now
) -> dt.datetime | None:
    """The deadline once a follow-up is recorded. `valid_times`: the holder's valid follow-ups on
    the lead since they got it, newest first. None: no deadline (converted or invalid)."""
    if stage in UNPROTECTED:
        return None
    limit = rule.max_followups_without_intent
    if limit is not None and stage in BEFORE_INTENT and followups > limit:
        return now  # reclaimed at the job's next run
    if not valid_times:
        return first_deadline(rule, assigned_at or now)
    # Enough valid follow-ups in every window: the K-th newest one opens the current window; with
    # fewer than K so far, the first one does (they have the window to reach K).
    anchor = (
        valid_times[rule.min_valid_followups - 1] if len(valid_times) >= rule.min_valid_followups else valid_times[-1]
    )
    return anchor + dt.timedelta(days=rule.valid_window_days)


def why_expired(rule: EffectiveRule, *, stage: str, followups: int, valid_followups: int) -> str:
    """Which rule fired, in words for the reclaim log (kept in the language of the moment)."""
    from django.utils.translation import gettext as _

    limit = rule.max_followups_without_intent
    if limit is not None and stage in BEFORE_INTENT and followups > limit:
        return _("More than %(n)s follow-ups without reaching intent.") % {"n": limit}
    if valid_followups == 0:
        return _("Not contacted within %(n)s days of being assigned.") % {"n": rule.first_contact_days}
    return _("Fewer than %(k)s valid follow-ups within %(d)s days.") % {
        "k": rule.min_valid_followups,
        "d": rule.valid_window_days,
    }
