import datetime as dt

import pytest

from steward.holdings.generator import generate_day

DAY = dt.date(2026, 3, 31)


@pytest.fixture
def day_dir(tmp_path, bank):
    """A generated day of 30 customers spread over the two teams, owned by NRM and SRM."""
    directory = tmp_path / DAY.isoformat()
    generate_day(directory, 30, DAY, orgs=["N1T1", "S1T1"], owners=["NRM", "SRM"], seed=7)
    return directory


def write_csv(path, header, rows):
    import csv

    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def set_parameter(key: str, value: str) -> None:
    """Set a system parameter for a test (as an administrator would in the parameters page)."""
    from django.core.cache import cache

    from steward.basedata.models import SystemParameter
    from steward.basedata.services import PARAMETERS_KEY

    SystemParameter.objects.filter(key=key).update(value=value)
    cache.delete(PARAMETERS_KEY)


@pytest.fixture
def no_shrink_hold(db):
    """Tests that deliver a deliberately small accounts file: no hold for confirmation."""
    set_parameter("holdings.intake_hold_shrink_ratio", "0")
