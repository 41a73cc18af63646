"""The operator's report: what the updater did over the last N days.

Read from `update_logs` (the runs), the payload archive (each changed meeting before and after:
`hearings.reports.meeting_changes`), `witnesses` and the quarantine. `Report.as_dict()` is the
JSON schema documented in the README; the text (rich) and Markdown renderers are in
`hearings.reports.report_render`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from hearings.reports.export import iso_utc
from hearings.reports.meeting_changes import ChangedHearing, changed_hearings
from hearings.reports.meeting_compare import FieldChange, compare_meeting, witness_delta
from hearings.reports.run_lines import AnomalyLine, RunLine, run_lines, run_total
from hearings.reports.suspicious_changes import SuspiciousLine, suspicious_lines
from hearings.store import schema
from hearings.store.postgres import in_binary_order

# The changed meetings' types live in meeting_changes and meeting_compare; named here too.
__all__ = [
    "ChangedHearing",
    "FieldChange",
    "Report",
    "build_report",
    "compare_meeting",
    "witness_delta",
]

REPORT_VERSION = 1


@dataclass
class NewWitness:
    witness_id: str
    name: str
    organization: str | None
    appearances: int
    first_seen: str | None


@dataclass
class QuarantineLine:
    entity: str
    identifier: str
    stage: str
    reason: str
    attempts: int
    first_seen: str | None
    last_seen: str | None


@dataclass
class ReportSummary:
    runs: int = 0
    succeeded: int = 0
    partial: int = 0
    failed: int = 0
    interrupted: int = 0
    hearings_checked: int = 0
    hearings_updated: int = 0
    hearings_added: int = 0
    quarantined: int = 0
    list_entries_rejected: int = 0
    open_quarantine: int = 0
    anomalies: int = 0
    suspicious_changes: int = 0


@dataclass
class Report:
    generated_at: str
    days: int
    period_start: str
    period_end: str
    summary: ReportSummary
    runs: list[RunLine]
    changed_hearings: list[ChangedHearing]
    new_witnesses: list[NewWitness]
    open_quarantine: list[QuarantineLine]
    anomalies: list[AnomalyLine]
    # Degraded versions the runs flagged (applied), held for review, or skipped (rejected).
    suspicious_changes: list[SuspiciousLine] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2, ensure_ascii=False) + "\n"

    def as_dict(self) -> dict[str, Any]:
        return {
            "report_version": REPORT_VERSION,
            "generated_at": self.generated_at,
            "period": {"days": self.days, "start": self.period_start, "end": self.period_end},
            "summary": asdict(self.summary),
            "runs": [asdict(r) for r in self.runs],
            "changed_hearings": [asdict(h) for h in self.changed_hearings],
            "new_witnesses": [asdict(w) for w in self.new_witnesses],
            "open_quarantine": [asdict(q) for q in self.open_quarantine],
            "anomalies": [asdict(a) for a in self.anomalies],
            "suspicious_changes": [asdict(s) for s in self.suspicious_changes],
        }


def build_report(
    engine: Engine, days: int, now: datetime, congresses: Sequence[int] | None = None
) -> Report:
    """Everything that happened in the `days` before `now` (a naive `now` is UTC); with
    `congresses`, only what concerns those Congresses."""
    end = _naive_utc(now)
    start = end - timedelta(days=days)
    with engine.connect() as connection:
        runs, anomalies = run_lines(connection, start, end)
        changed = changed_hearings(connection, start, end)
        witnesses = _new_witnesses(connection, start, end)
        quarantine = open_quarantine(connection)
        suspicious = suspicious_lines(connection, start, end)
        if congresses is not None:
            runs, anomalies, changed, witnesses, quarantine, suspicious = _of_congresses(
                connection,
                set(congresses),
                (runs, anomalies, changed, witnesses, quarantine, suspicious),
            )
    selected = None if congresses is None else set(congresses)
    summary = ReportSummary(
        runs=len(runs),
        succeeded=sum(1 for r in runs if r.outcome == "succeeded"),
        partial=sum(1 for r in runs if r.outcome == "partial"),
        failed=sum(1 for r in runs if r.outcome == "failed"),
        interrupted=sum(1 for r in runs if r.outcome == "interrupted"),
        hearings_checked=run_total(runs, "hearings_checked", selected),
        hearings_updated=run_total(runs, "hearings_updated", selected),
        hearings_added=run_total(runs, "hearings_added", selected),
        quarantined=run_total(runs, "quarantined", selected),
        list_entries_rejected=sum(r.list_entries_rejected for r in runs),
        open_quarantine=len(quarantine),
        anomalies=len(anomalies),
        suspicious_changes=len(suspicious),
    )
    return Report(
        generated_at=_iso(end),
        days=days,
        period_start=_iso(start),
        period_end=_iso(end),
        summary=summary,
        runs=runs,
        changed_hearings=changed,
        new_witnesses=witnesses,
        open_quarantine=quarantine,
        anomalies=anomalies,
        suspicious_changes=suspicious,
    )


def to_json(report: Report) -> str:
    """The report as JSON text (the schema is in the README)."""
    return report.to_json()


def _naive_utc(moment: datetime) -> datetime:
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


_Parts = tuple[
    list[RunLine],
    list[AnomalyLine],
    list[ChangedHearing],
    list[NewWitness],
    list[QuarantineLine],
    list[SuspiciousLine],
]


def _of_congresses(connection: Connection, congresses: set[int], parts: _Parts) -> _Parts:
    """The parts of a report that concern `congresses`: the runs that covered one of them, the
    meetings of them, the witnesses who appeared in them, the quarantine located in them, the
    suspicious changes of their meetings."""
    runs, anomalies, changed, witnesses, quarantine, suspicious = parts
    hearings, appearances = schema.hearings, schema.witness_appearances
    kept_runs = [r for r in runs if r.covers & congresses]
    run_ids = {r.run_id for r in kept_runs}
    meetings = set(
        connection.execute(
            select(hearings.c.event_id).where(hearings.c.congress.in_(congresses))
        ).scalars()
    )
    appeared = set(
        connection.execute(
            select(appearances.c.witness_id)
            .join(hearings, hearings.c.event_id == appearances.c.event_id)
            .where(hearings.c.congress.in_(congresses))
        ).scalars()
    )
    located = _quarantine_congresses(connection)
    return (
        kept_runs,
        [a for a in anomalies if a.run_id in run_ids],
        [h for h in changed if h.event_id in meetings],
        [w for w in witnesses if w.witness_id in appeared],
        [q for q in quarantine if located.get((q.entity, q.identifier)) in congresses],
        [s for s in suspicious if s.run_id in run_ids and s.event_id in meetings],
    )


def _quarantine_congresses(connection: Connection) -> dict[tuple[str, str], int | None]:
    errors = schema.import_errors
    found: dict[tuple[str, str], int | None] = {}
    for row in connection.execute(
        select(errors.c.entity, errors.c.identifier, errors.c.locator).where(
            errors.c.resolved.is_(False)
        )
    ):
        congress = (row.locator or {}).get("congress")
        found[(row.entity, row.identifier)] = congress if isinstance(congress, int) else None
    return found


# ---- witnesses and quarantine --------------------------------------------------------------


def _new_witnesses(connection: Connection, start: datetime, end: datetime) -> list[NewWitness]:
    witnesses, appearances = schema.witnesses, schema.witness_appearances
    dialect = connection.dialect.name  # names sort in code-point order on both backends
    counts = (
        select(appearances.c.witness_id, func.count().label("appearances"))
        .group_by(appearances.c.witness_id)
        .subquery()
    )
    rows = connection.execute(
        select(witnesses, func.coalesce(counts.c.appearances, 0).label("appearance_count"))
        .outerjoin(counts, counts.c.witness_id == witnesses.c.witness_id)
        .where(witnesses.c.first_seen_at >= start, witnesses.c.first_seen_at <= end)
        .order_by(
            witnesses.c.first_seen_at.desc(),
            in_binary_order(witnesses.c.display_name, dialect),
            in_binary_order(witnesses.c.witness_id, dialect),
        )
    ).all()
    return [
        NewWitness(
            witness_id=row.witness_id,
            name=row.display_name,
            organization=row.organization,
            appearances=int(row.appearance_count),
            first_seen=iso_utc(row.first_seen_at),
        )
        for row in rows
    ]


def open_quarantine(connection: Connection) -> list[QuarantineLine]:
    """Every open quarantine entry, oldest first."""
    errors = schema.import_errors
    return [
        QuarantineLine(
            entity=row.entity,
            identifier=row.identifier,
            stage=row.stage,
            reason=row.reason,
            attempts=int(row.attempts),
            first_seen=iso_utc(row.first_seen_at),
            last_seen=iso_utc(row.last_seen_at),
        )
        for row in connection.execute(
            select(errors)
            .where(errors.c.resolved.is_(False))
            .order_by(
                errors.c.first_seen_at,
                in_binary_order(errors.c.entity, connection.dialect.name),
                in_binary_order(errors.c.identifier, connection.dialect.name),
            )
        )
    ]
