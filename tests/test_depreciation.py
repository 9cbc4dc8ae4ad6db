import datetime as dt

import pytest

from compliance.facts import depreciation


@pytest.mark.parametrize(
    ("cost", "life", "in_service", "year", "allowed", "months"),
    [
        (3000000, 5, dt.date(2020, 7, 1), 2020, 300000, 6),      # July–December
        (3000000, 5, dt.date(2020, 1, 15), 2020, 600000, 12),    # whole year
        (3000000, 5, dt.date(2020, 12, 1), 2020, 50000, 1),      # December only
        (3000000, 5, dt.date(2021, 1, 1), 2020, 0, 0),           # not yet in service
        (3000000, 5, dt.date(2018, 7, 1), 2020, 600000, 12),     # mid-life
        (3000000, 5, dt.date(2015, 7, 1), 2020, 300000, 6),      # last six months of life
        (3000000, 5, dt.date(2014, 1, 1), 2020, 0, 0),           # fully depreciated
        (1000, 3, dt.date(2020, 2, 1), 2020, 305, 11),           # rounded down
    ],
)
def test_depreciation(cost, life, in_service, year, allowed, months):
    assert depreciation(cost, life, in_service, year) == (allowed, months)
