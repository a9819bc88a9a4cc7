"""LEAD-08: the allocation engine's arithmetic is fair — even, random and weighted splits, caps,
and ties that are never broken by the order targets were listed (i.e. created) in.

Statistical checks use a fixed sequence of seeds, so they are deterministic; their bounds are
wide enough for honest randomness and narrow enough that "the first target always wins" fails.
"""

import random
from collections import Counter
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from steward.allocation.engine import METHODS, Target, deal, shares

SEEDS = range(3000)


def chi_square(observed: Counter, keys, expected_each: float) -> float:
    return sum((observed[key] - expected_each) ** 2 / expected_each for key in keys)


# 99.9th percentiles of the chi-square distribution by degrees of freedom.
CHI_SQUARE_999 = {2: 13.82, 3: 16.27, 4: 18.47, 9: 27.88}

targets_strategy = st.lists(
    st.builds(
        Target,
        key=st.integers(1, 10_000),
        weight=st.integers(0, 9),
        room=st.one_of(st.none(), st.integers(0, 40)),
    ),
    min_size=1,
    max_size=12,
    unique_by=lambda target: target.key,
)


@settings(max_examples=300, deadline=None)
@given(item_count=st.integers(0, 300), targets=targets_strategy, method=st.sampled_from(METHODS), seed=st.integers())
def test_no_target_gets_more_than_its_room_and_nothing_is_lost_that_someone_had_room_for(
    item_count, targets, method, seed
):
    """LEAD-08: whatever the method, caps hold and items are only left over when no eligible
    target has room for them."""
    counts = shares(item_count, targets, method, random.Random(seed))
    assert set(counts) == {t.key for t in targets}
    for target in targets:
        assert counts[target.key] >= 0
        if target.room is not None:
            assert counts[target.key] <= target.room
        if method == "weighted" and target.weight == 0:
            assert counts[target.key] == 0
    eligible = [t for t in targets if t.room != 0 and (method != "weighted" or t.weight > 0)]
    if any(t.room is None for t in eligible):
        assert sum(counts.values()) == item_count
    else:
        assert sum(counts.values()) == min(item_count, sum(t.room for t in eligible))


@settings(max_examples=300, deadline=None)
@given(item_count=st.integers(0, 500), size=st.integers(1, 30), seed=st.integers())
def test_even_counts_differ_by_at_most_one(item_count, size, seed):
    """LEAD-08 平均分配: with no caps, every target's count is within one of every other's."""
    counts = shares(item_count, [Target(key) for key in range(size)], "even", random.Random(seed))
    assert max(counts.values()) - min(counts.values()) <= 1
    assert sum(counts.values()) == item_count


def test_even_with_caps_fills_capped_targets_and_levels_the_rest():
    """LEAD-08: a target at its cap stops; the others share what is left evenly."""
    targets = [Target(1, room=2), Target(2), Target(3), Target(4, room=0)]
    counts = shares(20, targets, "even", random.Random(1))
    assert counts[1] == 2 and counts[4] == 0
    assert sorted([counts[2], counts[3]]) == [9, 9]


def test_even_remainder_goes_to_each_target_equally_often_not_to_the_first_listed():
    """LEAD-08: 4 items over 3 people — who gets the second item is random, not creation order."""
    targets = [Target(key) for key in (1, 2, 3)]
    winners = Counter()
    for seed in SEEDS:
        counts = shares(4, targets, "even", random.Random(seed))
        winners.update(key for key, count in counts.items() if count == 2)
    assert sum(winners.values()) == len(SEEDS)
    assert chi_square(winners, (1, 2, 3), len(SEEDS) / 3) < CHI_SQUARE_999[2]


def test_random_with_fewer_items_than_targets_gives_every_target_an_equal_chance():
    """LEAD-08 随机分配: 2 leads, 5 RMs — each RM gets one in 2 of 5 runs, within chi-square bounds."""
    targets = [Target(key) for key in (10, 20, 30, 40, 50)]
    chosen = Counter()
    for seed in SEEDS:
        counts = shares(2, targets, "random", random.Random(seed))
        assert sorted(counts.values()) == [0, 0, 0, 1, 1]
        chosen.update(key for key, count in counts.items() if count)
    assert chi_square(chosen, (10, 20, 30, 40, 50), 2 * len(SEEDS) / 5) < CHI_SQUARE_999[4]


def test_random_with_more_items_than_targets_is_even():
    """LEAD-08 (file 003): when there are more leads than people, random allocation is even."""
    counts = shares(103, [Target(key) for key in range(10)], "random", random.Random(7))
    assert max(counts.values()) - min(counts.values()) <= 1


def test_random_skips_targets_without_room():
    """LEAD-08: a person at the cap is never drawn."""
    targets = [Target(1, room=0), Target(2), Target(3)]
    for seed in range(200):
        assert shares(2, targets, "random", random.Random(seed))[1] == 0


@settings(max_examples=300, deadline=None)
@given(
    item_count=st.integers(0, 1000),
    weights=st.lists(st.integers(0, 20), min_size=1, max_size=15),
    seed=st.integers(),
)
def test_weighted_shares_are_the_proportional_share_rounded_up_or_down(item_count, weights, seed):
    """LEAD-08 权重分配: each share is the exact proportional share rounded down or up (largest remainder)."""
    targets = [Target(key, weight=weight) for key, weight in enumerate(weights)]
    counts = shares(item_count, targets, "weighted", random.Random(seed))
    total_weight = sum(weights)
    if total_weight == 0:
        assert sum(counts.values()) == 0
        return
    assert sum(counts.values()) == item_count
    for target in targets:
        exact = Fraction(item_count * target.weight, total_weight)
        assert abs(counts[target.key] - exact) < 1


def test_weighted_three_to_one():
    """LEAD-08: weight 3 gets three times what weight 1 gets."""
    counts = shares(400, [Target(1, weight=1), Target(2, weight=3)], "weighted", random.Random(0))
    assert counts == {1: 100, 2: 300}


def test_weighted_ties_are_not_won_systematically_by_any_target():
    """LEAD-08: equal remainders (3 equal weights, 4 leads) — each target wins the extra lead equally often."""
    targets = [Target(key, weight=5) for key in (1, 2, 3)]
    winners = Counter()
    for seed in SEEDS:
        counts = shares(4, targets, "weighted", random.Random(seed))
        winners.update(key for key, count in counts.items() if count == 2)
    assert chi_square(winners, (1, 2, 3), len(SEEDS) / 3) < CHI_SQUARE_999[2]


def test_weighted_cap_passes_the_surplus_to_the_others_in_proportion():
    """LEAD-08: a heavy target at its cap keeps only its room; the rest is split by the others' weights."""
    targets = [Target(1, weight=8, room=10), Target(2, weight=1), Target(3, weight=1)]
    counts = shares(100, targets, "weighted", random.Random(0))
    assert counts == {1: 10, 2: 45, 3: 45}


def test_weighted_weight_zero_receives_nothing():
    """LEAD-08: an RM with weight 0 is skipped."""
    counts = shares(10, [Target(1, weight=0), Target(2, weight=1)], "weighted", random.Random(0))
    assert counts == {1: 0, 2: 10}


def test_everyone_at_the_cap_leaves_the_items_unallocated():
    """LEAD-08: what no one has room for stays in the pool."""
    counts = shares(10, [Target(1, room=2), Target(2, room=3)], "even", random.Random(0))
    assert counts == {1: 2, 2: 3}


def test_deal_hands_out_every_item_once_and_not_in_creation_order():
    """LEAD-08: the oldest lead does not always go to the first target."""
    items = list(range(9))
    targets = [Target(key) for key in (1, 2, 3)]
    first_item_to = Counter()
    for seed in SEEDS:
        dealt = deal(items, targets, "even", random.Random(seed))
        assert sorted(item for batch in dealt.values() for item in batch) == items
        assert [len(batch) for batch in dealt.values()] == [3, 3, 3]
        first_item_to.update(key for key, batch in dealt.items() if 0 in batch)
    assert chi_square(first_item_to, (1, 2, 3), len(SEEDS) / 3) < CHI_SQUARE_999[2]


def test_bad_arguments_are_refused_with_a_clear_error():
    """LEAD-08: an unknown method or a duplicated target is a programming error, said plainly."""
    with pytest.raises(ValueError, match="Unknown allocation method"):
        shares(1, [Target(1)], "round-robin", random.Random(0))
    with pytest.raises(ValueError, match="only once"):
        shares(1, [Target(1), Target(1)], "even", random.Random(0))
