"""Paired comparisons on a shared, noisy machine: a comparison is the median of the per-round
ratios of two variants measured side by side, with a distribution-free confidence interval, so
one slow round cannot decide it and a spread too wide to decide says so."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

CONFIDENCE = 0.95


@dataclass(frozen=True)
class PairedRatio:
    """Per-round ratios A/B, their median, and an interval that holds the true median with
    probability `coverage` (order statistics: no assumption about the noise's shape)."""

    ratios: tuple[float, ...]
    low: float
    high: float
    coverage: float

    @property
    def median(self) -> float:
        return statistics.median(self.ratios)

    def fmt(self) -> str:
        """`+3.2% [-1.0% to +6.5%]` as a difference of A from B."""
        return (
            f"{self.median - 1:+.1%} [{self.low - 1:+.1%} to {self.high - 1:+.1%}, "
            f"{self.coverage:.0%}, {len(self.ratios)} rounds]"
        )

    def within(self, bound: float) -> bool | None:
        """A costs at most `bound` more than B: True when the whole interval says so, False when
        the whole interval says not, None when the interval straddles the bound."""
        if self.high <= 1 + bound:
            return True
        if self.low > 1 + bound:
            return False
        return None

    def as_dict(self) -> dict[str, Any]:
        return {
            "median": self.median,
            "low": self.low,
            "high": self.high,
            "coverage": self.coverage,
            "values": list(self.ratios),
        }


def paired_ratio(
    numerator: Sequence[float], denominator: Sequence[float], confidence: float = CONFIDENCE
) -> PairedRatio:
    ratios = tuple(a / b for a, b in zip(numerator, denominator, strict=True) if b)
    low, high, coverage = median_interval(ratios, confidence)
    return PairedRatio(ratios, low, high, coverage)


def median_interval(values: Sequence[float], confidence: float) -> tuple[float, float, float]:
    """The narrowest symmetric order-statistic interval x(k)..x(n+1-k) whose coverage of the
    median is at least `confidence`; with too few values, min..max and its (lower) coverage."""
    ordered = sorted(values)
    n = len(ordered)
    if n == 0:
        raise ValueError("an interval needs at least one value")
    best = 1
    for k in range(1, n // 2 + 1):
        if _coverage(n, k) >= confidence:
            best = k
    return ordered[best - 1], ordered[n - best], _coverage(n, best)


def _coverage(n: int, k: int) -> float:
    """P(x(k) <= median <= x(n+1-k)) = 1 - 2 P(Binomial(n, 1/2) <= k-1)."""
    tail = sum(math.comb(n, i) for i in range(k)) / 2**n
    return max(0.0, 1 - 2 * tail)
