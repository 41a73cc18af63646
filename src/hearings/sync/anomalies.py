"""Historical pattern validation: a run's figures compared with earlier runs in `update_logs`."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from sqlalchemy import Engine, select

from hearings.store import schema
from hearings.sync.runlog import RunMetrics

HISTORY_RUNS = 30
MIN_HISTORY = 5
Z_THRESHOLD = 3.0

_FIGURES = ("hearings_added", "hearings_updated", "quarantined", "api_requests")


def detect_anomalies(engine: Engine, metrics: RunMetrics) -> list[str]:
    """Figures more than 3 standard deviations from the last successful runs of the same command,
    or beyond every one of them, are flagged. Too little history flags nothing."""
    logs = schema.update_logs
    with engine.connect() as connection:
        rows = connection.execute(
            select(*(logs.c[f] for f in _FIGURES))
            .where(
                logs.c.command == metrics.command,
                logs.c.success.is_(True),
                logs.c.run_id != (metrics.run_id or -1),
            )
            .order_by(logs.c.run_id.desc())
            .limit(HISTORY_RUNS)
        ).all()
    if len(rows) < MIN_HISTORY:
        return []
    current = metrics.as_dict()
    flagged = []
    for index, figure in enumerate(_FIGURES):
        history = [float(row[index] or 0) for row in rows]
        value = float(current[figure] or 0)
        message = describe_outlier(figure, value, history)
        if message:
            flagged.append(message)
    return flagged


def describe_outlier(figure: str, value: float, history: Sequence[float]) -> str | None:
    mean = statistics.fmean(history)
    spread = statistics.pstdev(history)
    percentile = sum(1 for h in history if h < value) / len(history) * 100
    if spread > 0:
        z = (value - mean) / spread
        if abs(z) >= Z_THRESHOLD:
            return (
                f"{figure} = {value:g} is {z:+.1f} standard deviations from the mean of the last "
                f"{len(history)} runs ({mean:.1f}); percentile {percentile:.0f}"
            )
        return None
    if value > max(history) and value - mean >= 10:
        return (
            f"{figure} = {value:g} while the last {len(history)} runs were all {mean:g}; "
            f"percentile {percentile:.0f}"
        )
    return None
