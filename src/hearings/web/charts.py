"""Server-rendered SVG bar charts: geometry here, markup in templates/_chart.html."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

WIDTH = 400
HEIGHT = 170
LEFT = 40
BOTTOM = 22
TOP = 8
MAX_BAR = 24.0


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    series: str
    title: str


@dataclass
class Chart:
    title: str
    series: list[str]
    colors: list[str]
    bars: list[Bar] = field(default_factory=list)
    ticks: list[tuple[float, str]] = field(default_factory=list)
    labels: list[tuple[float, str]] = field(default_factory=list)
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    bottom: int = BOTTOM
    empty: bool = False


def _nice_ceiling(value: float) -> float:
    if value <= 0:
        return 1.0
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _format(value: float) -> str:
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


def stacked_bars(
    title: str,
    series: Sequence[str],
    columns: Sequence[tuple[str, Sequence[float]]],
    *,
    colors: Sequence[str] = ("blue", "orange", "grey"),
    unit: str = "",
) -> Chart:
    """One bar per column, its values stacked in `series` order; `colors` are CSS class names."""
    chart = Chart(title=title, series=list(series), colors=list(colors))
    if not columns:
        chart.empty = True
        return chart
    top = _nice_ceiling(max(sum(values) for _, values in columns))
    plot_height = HEIGHT - BOTTOM - TOP
    slot = (WIDTH - LEFT) / len(columns)
    bar_width = min(MAX_BAR, max(1.0, slot * 0.7))
    for index, (label, values) in enumerate(columns):
        x = LEFT + index * slot + (slot - bar_width) / 2
        base = float(HEIGHT - BOTTOM)
        for name, value in zip(series, values, strict=True):
            if value <= 0:
                continue
            height = plot_height * value / top
            base -= height
            chart.bars.append(
                Bar(
                    round(x, 1),
                    round(base, 1),
                    round(bar_width, 1),
                    round(height, 1),
                    name,
                    f"{label}: {_format(value)}{unit} {name}",
                )
            )
    chart.ticks = [
        (round(HEIGHT - BOTTOM - plot_height * fraction, 1), _format(top * fraction) + unit)
        for fraction in (0, 0.5, 1)
    ]
    every = max(1, math.ceil(len(columns) / 8))
    chart.labels = [
        (round(LEFT + index * slot + slot / 2, 1), label)
        for index, (label, _) in enumerate(columns)
        if index % every == 0
    ]
    return chart
