"""Named sizes of the synthetic bank. Later issues add fields (customers per RM, …) here.

Orgs      = 1 head office + 3 departments + B + B·S + B·S·T
Employees = 3 head-office logins + B + B·S + B·S·T·(1 lead + R RMs)
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class BenchSize:
    name: str
    branches: int
    sub_branches_per_branch: int
    teams_per_sub_branch: int
    rms_per_team: int
    description: str = ""

    @property
    def expected_orgs(self) -> int:
        b, s, t = self.branches, self.sub_branches_per_branch, self.teams_per_sub_branch
        return 1 + 3 + b + b * s + b * s * t

    @property
    def expected_employees(self) -> int:
        b, s, t = self.branches, self.sub_branches_per_branch, self.teams_per_sub_branch
        return 3 + b + b * s + b * s * t * (1 + self.rms_per_team)

    @property
    def summary(self) -> str:
        return (
            f"{self.branches}x{self.sub_branches_per_branch}x{self.teams_per_sub_branch}x{self.rms_per_team}: "
            f"{self.expected_orgs} orgs, {self.expected_employees} employees"
        )

    def bank_size(self):
        from steward.org.demo import BankSize

        return BankSize(self.branches, self.sub_branches_per_branch, self.teams_per_sub_branch, self.rms_per_team)

    def as_dict(self) -> dict:
        return {
            "name": self.name,
            "branches": self.branches,
            "sub_branches_per_branch": self.sub_branches_per_branch,
            "teams_per_sub_branch": self.teams_per_sub_branch,
            "rms_per_team": self.rms_per_team,
        }


SIZES: dict[str, BenchSize] = {
    size.name: size
    for size in [
        BenchSize("small", 2, 2, 2, 3, "smoke test of the harness"),
        BenchSize("default", 4, 4, 5, 11, "~100 orgs and ~1,000 employees (the platform issue's size)"),
        BenchSize("large", 10, 10, 5, 19, "~10x default, to see what grows with data"),
    ]
}

_CUSTOM = re.compile(r"^(\d+)x(\d+)x(\d+)x(\d+)$")


def resolve_size(value: str) -> BenchSize:
    """A named size, or "BxSxTxR" (branches × sub-branches × teams × RMs per team)."""
    if value in SIZES:
        return SIZES[value]
    match = _CUSTOM.match(value)
    if match:
        b, s, t, r = (int(group) for group in match.groups())
        if min(b, s, t, r) < 1:
            raise ValueError("every factor must be at least 1 (the demo logins need a team with an RM)")
        return BenchSize(value, b, s, t, r, "custom")
    raise ValueError(f"unknown size {value!r}; use one of {', '.join(SIZES)} or BxSxTxR (e.g. 4x4x5x11)")
