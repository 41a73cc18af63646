"""A paired comparison is the median of per-round ratios with an order-statistic interval, and
says "cannot tell" when that interval straddles the bound."""

from __future__ import annotations

import pytest
from bench.paired import median_interval, paired_ratio


def test_six_rounds_or_more_give_a_95_percent_interval_from_the_order_statistics() -> None:
    low, high, coverage = median_interval([5, 1, 4, 2, 3, 6], 0.95)
    assert (low, high) == (1, 6)  # 1 - 2/64 = 96.9%
    assert coverage == pytest.approx(1 - 2 / 64)

    low, high, coverage = median_interval(list(range(1, 21)), 0.95)
    assert (low, high) == (6, 15)  # the narrowest symmetric pair still covering 95%
    assert coverage >= 0.95


def test_too_few_rounds_give_min_to_max_and_say_how_little_it_covers() -> None:
    low, high, coverage = median_interval([1.0, 3.0, 2.0], 0.95)
    assert (low, high) == (1.0, 3.0)
    assert coverage == pytest.approx(0.75)


def test_the_verdict_needs_the_whole_interval_on_one_side_of_the_bound() -> None:
    single = [10.0] * 6
    assert paired_ratio([10.2, 10.5, 9.9, 10.1, 10.4, 10.0], single).within(0.10) is True
    assert paired_ratio([11.5, 11.6, 11.2, 11.9, 11.4, 11.3], single).within(0.10) is False
    straddling = paired_ratio([9.0, 12.0, 10.5, 11.5, 9.5, 13.0], single)
    assert straddling.within(0.10) is None
    assert straddling.median == pytest.approx(1.1)
    # Faster than single-transaction mode is no failure of "costs at most 10% more".
    assert paired_ratio([7.0, 7.5, 8.0, 7.2, 7.9, 7.7], single).within(0.10) is True
