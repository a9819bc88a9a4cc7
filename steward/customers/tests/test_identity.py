"""The intake's fast derivation of a mobile number's place agrees with the full parse."""

import random

from steward.core.errors import DomainError
from steward.customers.identity import mobile_place, parse_mobile


def test_mobile_place_of_a_block_is_what_parse_mobile_derives():
    rng = random.Random(7)
    blocks = {f"1{rng.randint(0, 999999):06d}" for _ in range(3000)} | {"1380013", "1891234", "1700000"}
    known = 0
    for block in sorted(blocks):
        try:
            facts = parse_mobile(block + "0000")
            expected = (facts.province, facts.city, facts.carrier)
        except DomainError:
            expected = ("", "", "")
        assert mobile_place(block) == expected, block
        known += bool(expected[0])
    assert known > 500  # the sample covers real mobile blocks, not only invalid ones
