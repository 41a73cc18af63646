"""The runs of a report: one line per `update_logs` row, with its outcome, its figures per
Congress and the anomalies it recorded."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from hearings.reports.export import iso_utc
from hearings.store import schema


@dataclass
class RunLine:
    """One run of `hearings import` or `hearings update`."""

    run_id: int
    command: str
    mode: str
    congress: int | None
    chamber: str | None
    start_time: str | None
    end_time: str | None
    duration_seconds: float | None
    hearings_checked: int
    hearings_added: int
    hearings_updated: int
    hearings_unchanged: int
    quarantined: int
    api_requests: int
    # succeeded | partial (some stages committed, another failed) | failed | interrupted (no
    # outcome recorded: killed, or still running)
    outcome: str
    exit_code: int | None
    errors: list[str] = field(default_factory=list)
    # List entries that named no record, so could be neither applied nor quarantined.
    list_entries_rejected: int = 0
    rejected_entries: list[str] = field(default_factory=list)
    # A run over several Congresses: each one's figures ({"118": {"hearings_added": 1, …}}).
    congresses: dict[str, dict[str, int]] = field(default_factory=dict)
    # Meeting batches, and the commits that applied them (fewer with adaptive commit units).
    batches: int = 0
    commit_units: int = 0

    @property
    def covers(self) -> set[int]:
        """The Congresses the run covered, as far as its record says."""
        return {int(c) for c in self.congresses} | (
            {self.congress} if self.congress is not None else set()
        )


@dataclass
class AnomalyLine:
    run_id: int
    start_time: str | None
    message: str


# The exit code of a run that committed some stages before another failed (sync.runner).
EXIT_PARTIAL = 4


def run_outcome(success: bool | None, exit_code: int | None = None) -> str:
    if success is None:
        return "interrupted"
    if success:
        return "succeeded"
    return "partial" if exit_code == EXIT_PARTIAL else "failed"


def _batch_figure(metrics: dict[str, Any], name: str) -> int:
    stats = metrics.get("batch_processing")
    value = stats.get(name) if isinstance(stats, dict) else None
    return value if isinstance(value, int) else 0


def run_lines(
    connection: Connection, start: datetime, end: datetime
) -> tuple[list[RunLine], list[AnomalyLine]]:
    logs = schema.update_logs
    rows = connection.execute(
        select(logs)
        .where(logs.c.start_time >= start, logs.c.start_time <= end)
        .order_by(logs.c.start_time, logs.c.run_id)
    ).all()
    runs: list[RunLine] = []
    anomalies: list[AnomalyLine] = []
    for row in rows:
        metrics = row.metrics if isinstance(row.metrics, dict) else {}
        started = iso_utc(row.start_time)
        runs.append(
            RunLine(
                run_id=int(row.run_id),
                command=row.command,
                mode=row.mode,
                congress=row.congress,
                chamber=row.chamber,
                start_time=started,
                end_time=iso_utc(row.end_time),
                duration_seconds=row.duration_seconds,
                hearings_checked=int(row.hearings_checked or 0),
                hearings_added=int(row.hearings_added or 0),
                hearings_updated=int(row.hearings_updated or 0),
                hearings_unchanged=int(row.hearings_unchanged or 0),
                quarantined=int(row.quarantined or 0),
                api_requests=int(row.api_requests or 0),
                outcome=run_outcome(row.success, row.exit_code),
                exit_code=row.exit_code,
                errors=[str(e) for e in metrics.get("errors") or []],
                list_entries_rejected=int(metrics.get("list_entries_rejected") or 0),
                rejected_entries=[
                    f"a {str(r.get('entity', 'record')).replace('_', ' ')} list entry: "
                    f"{r.get('reason', '')}"
                    for r in metrics.get("rejected_entries") or []
                    if isinstance(r, dict)
                ],
                congresses=_congress_figures(metrics.get("congresses")),
                batches=int(_batch_figure(metrics, "batch_count")),
                commit_units=int(_batch_figure(metrics, "commit_units")),
            )
        )
        for message in metrics.get("anomalies") or []:
            anomalies.append(AnomalyLine(int(row.run_id), started, str(message)))
    return runs, anomalies


def _congress_figures(recorded: Any) -> dict[str, dict[str, int]]:
    """`metrics.congresses` as stored, keeping only well-formed figures."""
    if not isinstance(recorded, dict):
        return {}
    return {
        str(congress): {k: int(v) for k, v in figures.items() if isinstance(v, int)}
        for congress, figures in recorded.items()
        if str(congress).isdigit() and isinstance(figures, dict)
    }


def run_total(runs: list[RunLine], figure: str, congresses: set[int] | None) -> int:
    """A run figure summed over `runs`; with `congresses`, only those Congresses' share of it: a
    run over several Congresses adds its figures for them (metrics["congresses"])."""
    total = 0
    for run in runs:
        if congresses is None or not run.congresses:
            if congresses is None or run.congress in congresses:
                total += int(getattr(run, figure))
            continue
        total += sum(
            figures.get(figure, 0)
            for congress, figures in run.congresses.items()
            if int(congress) in congresses
        )
    return total
