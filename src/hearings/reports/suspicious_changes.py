"""Suspicious changes in a report's period: what each run flagged, held or skipped, with the
value before and after, as the run recorded them in `update_logs.metrics`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from hearings.store import schema


@dataclass
class SuspiciousLine:
    run_id: int
    event_id: str
    reason: str  # a stable code, e.g. title_placeholder
    sentence: str
    before: str
    after: str
    # flagged (applied) | held (quarantined for review) | skipped (a version rejected in review)
    action: str


def suspicious_lines(
    connection: Connection, start: datetime, end: datetime
) -> list[SuspiciousLine]:
    """Every suspicious change the runs started in [start, end] recorded, oldest run first."""
    logs = schema.update_logs
    rows = connection.execute(
        select(logs.c.run_id, logs.c.metrics)
        .where(logs.c.start_time >= start, logs.c.start_time <= end)
        .order_by(logs.c.start_time, logs.c.run_id)
    )
    lines: list[SuspiciousLine] = []
    for row in rows:
        metrics = row.metrics if isinstance(row.metrics, dict) else {}
        for entry in metrics.get("suspicious_changes") or []:
            if not isinstance(entry, dict):
                continue
            lines.append(
                SuspiciousLine(
                    run_id=int(row.run_id),
                    event_id=str(entry.get("event_id", "")),
                    reason=str(entry.get("reason", "")),
                    sentence=str(entry.get("sentence", "")),
                    before=str(entry.get("before", "")),
                    after=str(entry.get("after", "")),
                    action=str(entry.get("action", "")),
                )
            )
    return lines
