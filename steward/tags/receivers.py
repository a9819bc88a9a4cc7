"""Rule tags follow the data: recomputed when the daily intake has loaded a day."""

from __future__ import annotations


def recompute_after_load(sender, data_date, now, actor=None, **kwargs):
    """Receiver of steward.holdings.signals.day_loaded: recompute every active rule tag.

    The intake's own work is committed by then; each tag commits in its own transaction."""
    from steward.tags.services import recompute_rule_tags

    recompute_rule_tags(actor, now=now)
