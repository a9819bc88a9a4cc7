"""How many leads each allocation target gets — pure arithmetic, no database (LEAD-08).

File 003 names three methods: *even* (平均), *random* (随机: "when there are fewer items
than targets, allocate at random; otherwise evenly") and *weighted* (权重: "the larger the
weight, the more it receives"). Every tie — which targets get the one-item remainder, which
targets get the leftover of a largest-remainder split — is broken by the caller's ``rng``,
never by the order the targets (or the items) were listed in: listing order usually follows
creation order, and the oldest RM must not win every remainder.

Callers leave out people on leave before they get here; a target with ``room == 0`` (at its
daily or total cap) or, for weighted, ``weight == 0`` simply receives nothing.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

METHODS = ("even", "random", "weighted")


@dataclass(frozen=True)
class Target:
    """One receiver of an allocation: an employee id or an org id."""

    key: int
    # Used by "weighted"; 0 receives nothing.
    weight: int = 1
    # How many more it may receive now (the smaller of its daily and total caps left); None: no cap.
    room: int | None = None


def _room(target: Target) -> int | None:
    return None if target.room is None else max(target.room, 0)


def _check(item_count: int, targets: list[Target], method: str) -> None:
    if method not in METHODS:
        raise ValueError(f"Unknown allocation method {method!r}; expected one of {', '.join(METHODS)}.")
    if item_count < 0:
        raise ValueError("The number of items to allocate cannot be negative.")
    keys = [target.key for target in targets]
    if len(set(keys)) != len(keys):
        raise ValueError("Each allocation target may be listed only once.")
    if any(target.weight < 0 for target in targets):
        raise ValueError("An allocation weight cannot be negative.")


def _even(item_count: int, targets: list[Target], rng: random.Random) -> dict[int, int]:
    """Water-filling: everyone rises to a common level, capped targets stop at their room.

    The level is the largest L with sum(min(room, L)) <= item_count; the few items left
    over (fewer than the targets still below their room) go one each to targets drawn at
    random, so the counts of uncapped targets differ by at most one.
    """
    counts = {target.key: 0 for target in targets}
    eligible = [target for target in targets if _room(target) != 0]
    if not eligible or item_count == 0:
        return counts

    def filled(level: int) -> int:
        return sum(level if _room(t) is None else min(_room(t), level) for t in eligible)

    low, high = 0, item_count
    while low < high:  # largest level whose fill does not exceed the items
        middle = (low + high + 1) // 2
        if filled(middle) <= item_count:
            low = middle
        else:
            high = middle - 1
    level = low
    for target in eligible:
        room = _room(target)
        counts[target.key] = level if room is None else min(room, level)
    leftover = item_count - sum(counts.values())
    below_room = [t for t in eligible if _room(t) is None or _room(t) > counts[t.key]]
    for target in rng.sample(below_room, min(leftover, len(below_room))):
        counts[target.key] += 1
    return counts


def _weighted(item_count: int, targets: list[Target], rng: random.Random) -> dict[int, int]:
    """Largest remainder (Hamilton), with caps: a target whose exact quota exceeds its room
    gets its room and drops out, and the rest is split again among the others."""
    counts = {target.key: 0 for target in targets}
    active = [t for t in targets if t.weight > 0 and _room(t) != 0]
    remaining = item_count
    while active and remaining > 0:
        total_weight = sum(t.weight for t in active)
        # Exact comparison in integers: quota = remaining * weight / total_weight.
        over = [t for t in active if _room(t) is not None and _room(t) * total_weight < remaining * t.weight]
        if not over:
            break
        for target in over:
            counts[target.key] = _room(target)
            remaining -= _room(target)
        active = [t for t in active if t not in over]
    if not active or remaining <= 0:
        return counts
    total_weight = sum(t.weight for t in active)
    fractions = {}
    for target in active:
        whole, fraction = divmod(remaining * target.weight, total_weight)
        counts[target.key] = whole
        fractions[target.key] = fraction
    leftover = remaining - sum(counts[t.key] for t in active)
    # Largest fractional part first; equal fractions ordered by a fresh random draw each.
    tie_breaker = {t.key: rng.random() for t in active}
    ranked = sorted(active, key=lambda t: (-fractions[t.key], tie_breaker[t.key]))
    for target in ranked[:leftover]:
        counts[target.key] += 1
    return counts


def shares(item_count: int, targets: list[Target], method: str, rng: random.Random) -> dict[int, int]:
    """How many items each target gets. even: counts differ by at most one (among targets with room);
    random: file 003's rule — when there are fewer items than targets, which targets get one is drawn at
    random, otherwise as even; weighted: proportional to weight, largest remainder, ties broken by rng.
    Targets never get more than their room; what no one has room for stays unallocated (sum may be < item_count).

    Every listed target appears in the result (with 0 if it receives nothing).
    """
    _check(item_count, targets, method)
    if method == "weighted":
        return _weighted(item_count, targets, rng)
    if method == "random":
        eligible = [t for t in targets if _room(t) != 0]
        if item_count < len(eligible):
            counts = {target.key: 0 for target in targets}
            for target in rng.sample(eligible, item_count):
                counts[target.key] = 1
            return counts
    return _even(item_count, targets, rng)


def deal(items: list, targets: list[Target], method: str, rng: random.Random) -> dict[int, list]:
    """shares(), then the items themselves shuffled with rng and handed out — never by creation order."""
    counts = shares(len(items), targets, method, rng)
    shuffled = list(items)
    rng.shuffle(shuffled)
    dealt: dict[int, list] = {}
    start = 0
    for target in targets:
        count = counts[target.key]
        dealt[target.key] = shuffled[start : start + count]
        start += count
    return dealt
