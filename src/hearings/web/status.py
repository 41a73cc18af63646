"""How current and how large the database is: the "data as of" banner, stats and run history."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, String, func, select, true

from hearings.errors import quoted
from hearings.reports.congress_counts import counts_by_congress, selection_totals
from hearings.reports.status import covered_congresses
from hearings.store import schema
from hearings.store.meeting_span import span_columns, span_of
from hearings.store.postgres import in_binary_order
from hearings.store.value_errors import unreadable_value_sentence
from hearings.web.answer_cache import TimedCache
from hearings.web.timefmt import iso_z


@dataclass(frozen=True)
class RunSummary:
    run_id: int
    command: str
    congress: int | None
    chamber: str | None
    mode: str
    start_time: datetime
    end_time: datetime | None
    duration_seconds: float | None
    hearings_checked: int
    hearings_added: int
    hearings_updated: int
    hearings_unchanged: int
    api_requests: int
    error_count: int
    quarantined: int
    success: bool | None
    exit_code: int | None
    # Every Congress the run covered, when it covered several (read only where shown).
    congresses: list[int] = field(default_factory=list)

    @property
    def covered(self) -> list[int]:
        """The Congresses the run worked on: its one Congress, or those its metrics name."""
        if self.congress is not None:
            return [self.congress]
        return self.congresses

    @property
    def outcome(self) -> str:
        if self.success is None:
            return "running" if self.end_time is None else "interrupted"
        if not self.success:
            return "failed"
        return "succeeded with quarantined records" if self.quarantined else "succeeded"

    def as_json(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "command": self.command,
            "congress": self.congress,
            "congresses": self.congresses,
            "chamber": self.chamber,
            "mode": self.mode,
            "start_time": iso_z(self.start_time),
            "end_time": iso_z(self.end_time),
            "duration_seconds": self.duration_seconds,
            "hearings_checked": self.hearings_checked,
            "hearings_added": self.hearings_added,
            "hearings_updated": self.hearings_updated,
            "hearings_unchanged": self.hearings_unchanged,
            "api_requests": self.api_requests,
            "error_count": self.error_count,
            "quarantined": self.quarantined,
            "success": self.success,
            "exit_code": self.exit_code,
            "outcome": self.outcome,
        }


_RUN_COLUMNS = [c for c in schema.update_logs.c if c.name != "metrics"]


def _run(row: Any) -> RunSummary:
    return RunSummary(
        run_id=int(row.run_id),
        command=row.command,
        congress=row.congress,
        chamber=row.chamber,
        mode=row.mode,
        start_time=row.start_time,
        end_time=row.end_time,
        duration_seconds=row.duration_seconds,
        hearings_checked=_run_count(row, "hearings_checked"),
        hearings_added=_run_count(row, "hearings_added"),
        hearings_updated=_run_count(row, "hearings_updated"),
        hearings_unchanged=_run_count(row, "hearings_unchanged"),
        api_requests=_run_count(row, "api_requests"),
        error_count=_run_count(row, "error_count"),
        quarantined=_run_count(row, "quarantined"),
        success=None if row.success is None else bool(row.success),
        exit_code=row.exit_code,
    )


def _run_count(row: Any, name: str) -> int:
    """A run's count; text where it belongs (SQLite keeps any value in any column) is a stored
    value that cannot be read, named, not a bug."""
    value = getattr(row, name)
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        raise unreadable_value_sentence(
            f"update_logs.{name} of run {row.run_id}: {quoted(value)}"
        ) from None


def data_as_of(connection: Connection) -> datetime | None:
    """The end of the last successful update or import."""
    logs = schema.update_logs
    return connection.execute(
        select(func.max(logs.c.end_time)).where(logs.c.success.is_(True))
    ).scalar()


def last_successful_run(connection: Connection) -> RunSummary | None:
    logs = schema.update_logs
    row = connection.execute(
        select(*_RUN_COLUMNS)
        .where(logs.c.success.is_(True), logs.c.end_time.is_not(None))
        .order_by(logs.c.end_time.desc(), logs.c.run_id.desc())
        .limit(1)
    ).first()
    return _run(row) if row else None


def recent_runs(connection: Connection, limit: int = 60) -> list[RunSummary]:
    """The latest runs, oldest first."""
    logs = schema.update_logs
    rows = connection.execute(
        select(*_RUN_COLUMNS).order_by(logs.c.run_id.desc()).limit(limit)
    ).all()
    return [_run(r) for r in reversed(rows)]


def open_quarantine_count(connection: Connection) -> int:
    errors = schema.import_errors
    return int(
        connection.execute(
            select(func.count()).select_from(errors).where(errors.c.resolved.is_(False))
        ).scalar_one()
    )


def with_congresses(connection: Connection, run: RunSummary) -> RunSummary:
    """`run` with the Congresses it covered, from its stored metrics."""
    logs = schema.update_logs
    metrics = connection.execute(select(logs.c.metrics).where(logs.c.run_id == run.run_id)).scalar()
    return replace(run, congresses=covered_congresses(metrics))


def with_covered_congresses(connection: Connection, runs: list[RunSummary]) -> list[RunSummary]:
    """`runs`, each run over several Congresses (no one `congress`) with the Congresses its
    stored metrics give figures for; one query for them all."""
    several = [r.run_id for r in runs if r.congress is None]
    if not several:
        return runs
    logs = schema.update_logs
    rows = connection.execute(
        select(logs.c.run_id, logs.c.metrics).where(logs.c.run_id.in_(several))
    ).all()
    covered = {int(row.run_id): covered_congresses(row.metrics) for row in rows}
    return [
        replace(r, congresses=covered.get(r.run_id, [])) if r.congress is None else r for r in runs
    ]


def update_status(connection: Connection) -> dict[str, Any]:
    """The JSON of /api/update-status."""
    last_ok = last_successful_run(connection)
    latest = recent_runs(connection, 1)
    return {
        "data_as_of": iso_z(last_ok.end_time) if last_ok else None,
        "last_successful_run": with_congresses(connection, last_ok).as_json() if last_ok else None,
        "latest_run": with_congresses(connection, latest[0]).as_json() if latest else None,
        "quarantined_open": open_quarantine_count(connection),
    }


def _count(connection: Connection, table: Any) -> int:
    return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def database_stats(
    connection: Connection, congresses: Sequence[int] | None = None
) -> dict[str, Any]:
    """The JSON of /api/stats: table sizes, how meetings divide up, and each Congress's counts
    (`congresses`, newest first); with `congresses`, only what concerns those Congresses."""
    hearings = schema.hearings
    dialect = connection.dialect.name
    scope = true() if congresses is None else hearings.c.congress.in_(sorted(set(congresses)))

    def grouped(column: Any) -> dict[str, int]:
        # Unknown (NULL) first, then code-point order: SQLite sorts NULL first, PostgreSQL last,
        # and PostgreSQL sorts text by its collation; the JSON must not depend on the backend.
        order = in_binary_order(column, dialect) if isinstance(column.type, String) else column
        rows = connection.execute(
            select(column, func.count())
            .where(scope)
            .group_by(column)
            .order_by(column.is_not(None), order)
        ).all()
        return {str(key) if key is not None else "unknown": int(n) for key, n in rows}

    first, last = span_of(connection.execute(select(*span_columns()).where(scope)).one())
    per_congress = [
        c.as_json()
        for c in counts_by_congress(connection)
        if congresses is None or c.congress in congresses
    ]
    return {
        **(_table_sizes(connection) if congresses is None else _selected(connection, congresses)),
        "by_congress": grouped(hearings.c.congress),
        "congresses": per_congress,
        "by_chamber": grouped(hearings.c.chamber),
        "by_status": grouped(hearings.c.status),
        "by_type": grouped(hearings.c.meeting_type),
        "first_meeting": iso_z(first),
        "last_meeting": iso_z(last),
        "data_as_of": iso_z(data_as_of(connection)),
    }


def _table_sizes(connection: Connection) -> dict[str, int]:
    return {
        "hearings": _count(connection, schema.hearings),
        "committees": _count(connection, schema.committees),
        "members": _count(connection, schema.members),
        "witnesses": _count(connection, schema.witnesses),
        "witness_appearances": _count(connection, schema.witness_appearances),
        "documents": _count(connection, schema.witness_documents)
        + _count(connection, schema.meeting_documents),
        "videos": _count(connection, schema.videos),
        "bills": _count(connection, schema.bills),
        "printed_hearings": _count(connection, schema.printed_hearings),
    }


def _selected(connection: Connection, congresses: Sequence[int]) -> dict[str, int | None]:
    """The same sizes for some Congresses: committees that met in them, witnesses who appeared
    in them; members are not stored by Congress, so they are null."""
    totals = selection_totals(connection, congresses)
    return {
        "hearings": totals.meetings,
        "committees": totals.committees_with_meetings,
        "members": None,
        "witnesses": totals.witnesses,
        "witness_appearances": totals.witness_appearances,
        "documents": totals.documents,
        "videos": totals.videos,
        "bills": totals.bills,
        "printed_hearings": totals.printed_hearings,
    }


def banner_moment(engine: Engine, cache: TimedCache) -> datetime | None:
    def compute() -> datetime | None:
        with engine.connect() as connection:
            return data_as_of(connection)

    return cache.get("data_as_of", compute)
