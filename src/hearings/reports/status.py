"""`hearings status`: the database at a glance — where it is, what it holds, when it was last
brought up to date, and what waits (backups, the quarantine)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Engine, func, select, text

from hearings.config import Settings
from hearings.reports.congress_counts import CongressCounts, counts_by_congress
from hearings.reports.export import iso_utc
from hearings.reports.run_lines import run_outcome
from hearings.store import schema
from hearings.store.archive import archived_record_counts
from hearings.store.engine import database_label, sqlite_file
from hearings.sync.backups import list_backups
from hearings.sync.marks import HELD, OVERLAP
from hearings.sync.set_aside import set_aside_files

# Entity name → table, in the order `status` shows them.
COUNTED_TABLES = (
    ("meetings", schema.hearings),
    ("committees", schema.committees),
    ("members", schema.members),
    ("witnesses", schema.witnesses),
    ("appearances", schema.witness_appearances),
    ("witness documents", schema.witness_documents),
    ("meeting documents", schema.meeting_documents),
    ("videos", schema.videos),
    ("bills", schema.bills),
    ("printed hearings", schema.printed_hearings),
)


@dataclass
class RunRef:
    run_id: int
    command: str
    congress: int | None
    outcome: str
    start_time: str | None
    end_time: str | None
    # Seconds from the run's end (or start, when it never ended) to the status time.
    age_seconds: float | None
    # Every Congress the run covered (an import of a range, an update across Congresses), from
    # its per-Congress figures; empty for runs from before them.
    congresses: list[int] = field(default_factory=list)


# What a mark's moment is. Meetings are marked with the newest `updateDate` a run applied or
# listed; committees and printed hearings with the start of the run that read their whole list
# (sync/marks.py: `mark_stage_done`), which is later than any `updateDate` they hold. Either way
# the database holds every change up to the mark, and the next update lists from an hour before.
MarkKind = Literal["newest_change", "run_start", "relist"]


@dataclass
class HighWaterMark:
    congress: int
    chamber: str
    entity: str
    high_water_mark: str | None
    # newest_change, run_start (of run `run_id`), or relist: a held window, where the next
    # update lists again from.
    kind: MarkKind = "newest_change"
    run_id: int | None = None


@dataclass
class BackupRef:
    path: str
    created_at: str | None
    size_bytes: int


@dataclass
class Status:
    database: str
    size_bytes: int | None
    generated_at: str
    counts: dict[str, int]
    last_success: RunRef | None
    last_run: RunRef | None
    high_water_marks: list[HighWaterMark]
    backup_dir: str
    backup_count: int
    newest_backup: BackupRef | None
    quarantine_open: int
    quarantine_by_entity: dict[str, int] = field(default_factory=dict)
    # Records with at least one archived payload, by entity (databases from before the archive
    # start archiving with their next update).
    archived_records: dict[str, int] = field(default_factory=dict)
    # Newest Congress first.
    by_congress: list[CongressCounts] = field(default_factory=list)
    # The databases restores and rebuilds set aside beside this one (SQLite), newest first.
    set_aside: list[BackupRef] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "by_congress": [c.as_json() for c in self.by_congress]}


def gather_status(settings: Settings, engine: Engine, *, now: datetime | None = None) -> Status:
    """Read everything `hearings status` shows; the database is only read."""
    moment = (now or datetime.now(UTC)).astimezone(UTC).replace(tzinfo=None, microsecond=0)
    logs, state, errors = schema.update_logs, schema.sync_state, schema.import_errors
    with engine.connect() as connection:
        counts = {
            name: int(connection.execute(select(func.count()).select_from(table)).scalar_one())
            for name, table in COUNTED_TABLES
        }
        success = connection.execute(
            select(logs)
            .where(logs.c.success.is_(True))
            .order_by(logs.c.start_time.desc(), logs.c.run_id.desc())
            .limit(1)
        ).first()
        latest = connection.execute(
            select(logs).order_by(logs.c.start_time.desc(), logs.c.run_id.desc()).limit(1)
        ).first()
        rows = connection.execute(
            select(state, logs.c.start_time.label("run_start"))
            .outerjoin(logs, logs.c.run_id == state.c.last_run_id)
            .order_by(state.c.congress, state.c.chamber, state.c.entity)
        ).all()
        marks = [_mark(row) for row in _telling(rows)]
        backlog = {
            row.entity: int(row[1])
            for row in connection.execute(
                select(errors.c.entity, func.count().label("count"))
                .where(errors.c.resolved.is_(False))
                .group_by(errors.c.entity)
                .order_by(errors.c.entity)
            )
        }
        archived = archived_record_counts(connection)
        by_congress = counts_by_congress(connection)
        size = _database_size(engine, settings.database_url, connection)
    backups = list_backups(settings.backup_dir)
    newest = backups[0] if backups else None
    path = sqlite_file(settings.database_url)
    aside = set_aside_files(path) if path is not None else []
    return Status(
        database=database_label(settings.database_url, absolute=True),
        size_bytes=size,
        generated_at=iso_utc(moment) or "",
        counts=counts,
        last_success=_run_ref(success, moment),
        last_run=_run_ref(latest, moment),
        high_water_marks=marks,
        backup_dir=str(Path(settings.backup_dir).resolve()),
        backup_count=len(backups),
        newest_backup=(
            BackupRef(str(newest.path), iso_utc(newest.created_at), newest.size) if newest else None
        ),
        quarantine_open=sum(backlog.values()),
        quarantine_by_entity=backlog,
        archived_records=archived,
        by_congress=by_congress,
        set_aside=[BackupRef(str(p), None, p.stat().st_size) for p in aside],
    )


def _run_ref(row: Any, now: datetime) -> RunRef | None:
    if row is None:
        return None
    reference = row.end_time or row.start_time
    return RunRef(
        run_id=int(row.run_id),
        command=row.command,
        congress=row.congress,
        outcome=run_outcome(row.success, row.exit_code),
        start_time=iso_utc(row.start_time),
        end_time=iso_utc(row.end_time),
        age_seconds=round((now - reference).total_seconds(), 1) if reference else None,
        congresses=covered_congresses(row.metrics),
    )


def covered_congresses(metrics: object) -> list[int]:
    """The Congresses a run's stored metrics give figures for, ascending."""
    figures = metrics.get("congresses") if isinstance(metrics, dict) else None
    if not isinstance(figures, dict):
        return []
    return sorted(int(key) for key in figures if str(key).isdigit())


def _mark(row: Any) -> HighWaterMark:
    """A `sync_state` row (with its last run's start) as status shows it, saying what it is."""
    kind: MarkKind = "newest_change"
    if row.entity.endswith(HELD):
        kind = "relist"
    elif _same_second(row.high_water_mark, row.run_start):
        kind = "run_start"
    return HighWaterMark(
        congress=int(row.congress),
        chamber=row.chamber,
        entity=row.entity,
        high_water_mark=iso_utc(row.high_water_mark),
        kind=kind,
        run_id=row.last_run_id,
    )


def _telling(rows: Sequence[Any]) -> list[Any]:
    """`sync_state` rows without the held windows that reach back no further than their entity's
    own mark less the overlap, where the next update lists from anyway. An import holds one from
    its lists' reading, about its own start less the overlap, so status said after every import
    that the next update "lists again from" an hour before it, as if that were news."""
    own = {
        (row.congress, row.chamber, row.entity): row.high_water_mark
        for row in rows
        if not row.entity.endswith(HELD) and row.high_water_mark is not None
    }

    def redundant(row: Any) -> bool:
        mark = own.get((row.congress, row.chamber, row.entity.removesuffix(HELD)))
        held = row.high_water_mark
        return mark is not None and held is not None and held >= mark - OVERLAP

    return [row for row in rows if not row.entity.endswith(HELD) or not redundant(row)]


def _same_second(mark: datetime | None, run_start: datetime | None) -> bool:
    # Marks are kept to the second; a run's start time has its microseconds.
    if mark is None or run_start is None:
        return False
    return mark.replace(microsecond=0) == run_start.replace(microsecond=0)


def _database_size(engine: Engine, database_url: str, connection: Any) -> int | None:
    """Bytes on disk: the SQLite file and its write-ahead log, or PostgreSQL's own figure."""
    path = sqlite_file(database_url)
    if path is not None:
        sizes = [p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists()]
        return sum(sizes) if sizes else None
    if engine.dialect.name == "postgresql":
        value = connection.execute(text("SELECT pg_database_size(current_database())")).scalar()
        return int(value) if value is not None else None
    return None


def describe_age(seconds: float | None) -> str:
    """`3 min`, `5 h 12 min`, `2 days 4 h`."""
    if seconds is None:
        return "unknown"
    if seconds < 0:
        return "in the future"
    minutes = int(seconds // 60)
    if minutes < 1:
        return "under a minute"
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    unit = "day" if days == 1 else "days"
    return f"{days} {unit} {hours} h" if hours else f"{days} {unit}"


def describe_size(size: int | None) -> str:
    if size is None:
        return "unknown"
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024:
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TB"
