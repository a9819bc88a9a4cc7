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
