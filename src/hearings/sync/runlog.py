"""The run record: metrics for one import or update, and its row in `update_logs`."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, insert, update

from hearings.store import schema
from hearings.store.engine import writing
from hearings.sync.interrupted_runs import close_interrupted_runs


@dataclass
class BatchError:
    batch_number: int
    event_ids: list[str]
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class BatchStats:
    enabled: bool
    batch_size: int
    batch_count: int = 0
    batches_succeeded: int = 0
    batches_failed: int = 0
    batch_errors: list[BatchError] = field(default_factory=list)
    # Commits that applied meetings: one per batch, fewer when clean batches commit together
    # (adaptive commit units), and the most meetings one of them held.
    commit_units: int = 0
    largest_commit_unit: int = 0

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["batch_errors"] = [e.as_dict() for e in self.batch_errors]
        return data


@dataclass
class QuarantinedRecord:
    entity: str
    identifier: str
    stage: str
    reason: str


@dataclass
class RejectedEntry:
    """A list entry that named no record (so there was nothing to quarantine)."""

    entity: str
    reason: str


@dataclass
class SuspiciousChange:
    """A new version that degrades a meeting (see sync/suspicious.py), and what the run did."""

    event_id: str
    reason: str  # a stable code, e.g. title_placeholder
    sentence: str
    before: str
    after: str
    action: str  # flagged (applied) | held (quarantined for review) | skipped (rejected before)


@dataclass
class StageOutcome:
    """How one stage (committees, members, meetings, printed hearings) ended."""

    # completed | failed | skipped | stopped (the --max-requests budget left records unfetched)
    status: str = "completed"
    committed: int = 0
    error: str | None = None


@dataclass
class CongressFigures:
    """One Congress's share of a run that covers several (`metrics.congresses`)."""

    hearings_checked: int = 0
    hearings_added: int = 0
    hearings_updated: int = 0
    hearings_unchanged: int = 0
    quarantined: int = 0


@dataclass
class RunMetrics:
    """Everything a run reports: printed with `--json`, stored in `update_logs.metrics`."""

    command: str
    congress: int | None
    chamber: str | None
    batch_processing: BatchStats
    start_time: datetime
    end_time: datetime | None = None
    run_id: int | None = None
    dry_run: bool = False
    window_start: datetime | None = None
    window_end: datetime | None = None
    hearings_checked: int = 0
    hearings_added: int = 0
    hearings_updated: int = 0
    hearings_unchanged: int = 0
    committees_updated: int = 0
    members_updated: int = 0
    printed_hearings_updated: int = 0
    witnesses_updated: int = 0
    quarantine_retried: int = 0
    quarantine_resolved: int = 0
    api_requests: int = 0
    errors: list[str] = field(default_factory=list)
    quarantined_records: list[QuarantinedRecord] = field(default_factory=list)
    list_entries_rejected: int = 0
    rejected_entries: list[RejectedEntry] = field(default_factory=list)
    stages: dict[str, StageOutcome] = field(default_factory=dict)
    anomalies: list[str] = field(default_factory=list)
    planned_changes: list[str] = field(default_factory=list)
    suspicious_changes: list[SuspiciousChange] = field(default_factory=list)
    # Every suspicious change met; `suspicious_changes` lists the first SUSPICIOUS_LISTED.
    suspicious_changes_total: int = 0
    success: bool | None = None
    exit_code: int | None = None
    backup_path: str | None = None
    log_path: str | None = None
    # Per Congress covered (an import of a range, an update across Congresses).
    congresses: dict[int, CongressFigures] = field(default_factory=dict)
    # Entries of a list across Congresses for Congresses the run does not cover: not fetched.
    list_entries_elsewhere: int = 0

    def figures(self, congress: int | None) -> CongressFigures | None:
        """The figures of `congress`, when the run covers it."""
        return self.congresses.get(congress) if congress is not None else None

    @property
    def mode(self) -> str:
        return "batch" if self.batch_processing.enabled else "single"

    @property
    def quarantined(self) -> int:
        return len(self.quarantined_records)

    def scrub(self, redact: Callable[[str], str]) -> None:
        """Pass every text the run collected through `redact`, before it is stored or sent: an
        upstream value can echo the API key back inside a data field."""
        self.errors = [redact(e) for e in self.errors]
        self.anomalies = [redact(a) for a in self.anomalies]
        self.planned_changes = [redact(c) for c in self.planned_changes]
        for record in self.quarantined_records:
            record.identifier, record.reason = redact(record.identifier), redact(record.reason)
        for entry in self.rejected_entries:
            entry.reason = redact(entry.reason)
        for suspicious in self.suspicious_changes:
            suspicious.before = redact(suspicious.before)
            suspicious.after = redact(suspicious.after)
        for stage in self.stages.values():
            stage.error = redact(stage.error) if stage.error else stage.error
        for error in self.batch_processing.batch_errors:
            error.reason = redact(error.reason)

    @property
    def committed(self) -> int:
        """Records this run wrote, over every stage."""
        return sum(stage.committed for stage in self.stages.values())

    @property
    def failed_stages(self) -> list[str]:
        return [name for name, stage in self.stages.items() if stage.status == "failed"]

    @property
    def error_count(self) -> int:
        return len(self.errors)

    @property
    def duration_seconds(self) -> float | None:
        if self.end_time is None:
            return None
        return round((self.end_time - self.start_time).total_seconds(), 3)

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "command": self.command,
            "mode": self.mode,
            "dry_run": self.dry_run,
            "congress": self.congress,
            "chamber": self.chamber,
            "start_time": _iso(self.start_time),
            "end_time": _iso(self.end_time),
            "duration_seconds": self.duration_seconds,
            "window_start": _iso(self.window_start),
            "window_end": _iso(self.window_end),
            "hearings_checked": self.hearings_checked,
            "hearings_updated": self.hearings_updated,
            "hearings_added": self.hearings_added,
            "hearings_unchanged": self.hearings_unchanged,
            "committees_updated": self.committees_updated,
            "members_updated": self.members_updated,
            "printed_hearings_updated": self.printed_hearings_updated,
            "witnesses_updated": self.witnesses_updated,
            "quarantine_retried": self.quarantine_retried,
            "quarantine_resolved": self.quarantine_resolved,
            "api_requests": self.api_requests,
            "error_count": self.error_count,
            "errors": list(self.errors),
            "quarantined": self.quarantined,
            "quarantined_records": [asdict(q) for q in self.quarantined_records],
            "list_entries_rejected": self.list_entries_rejected,
            "rejected_entries": [asdict(r) for r in self.rejected_entries],
            "suspicious_changes": [asdict(s) for s in self.suspicious_changes],
            "suspicious_changes_total": self.suspicious_changes_total,
            "stages": {name: asdict(stage) for name, stage in self.stages.items()},
            "congresses": {str(c): asdict(f) for c, f in sorted(self.congresses.items())},
            "list_entries_elsewhere": self.list_entries_elsewhere,
            "success": self.success,
            "exit_code": self.exit_code,
            "anomalies": list(self.anomalies),
            **({"planned_changes": list(self.planned_changes)} if self.dry_run else {}),
            "batch_processing": self.batch_processing.as_dict(),
            "backup_path": self.backup_path,
            "log_path": self.log_path,
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), indent=2, ensure_ascii=False)


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def naive_utc(moment: datetime | None) -> datetime | None:
    """As `update_logs` stores times: naive UTC."""
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None) if moment.tzinfo else moment


def run_columns(metrics: RunMetrics) -> dict[str, Any]:
    """What a run's row starts with: the command, its scope and when it started."""
    scope = {"congress": metrics.congress, "chamber": metrics.chamber, "mode": metrics.mode}
    return {"command": metrics.command, **scope, "start_time": naive_utc(metrics.start_time)}


def start_run(engine: Engine, metrics: RunMetrics) -> int:
    """Insert the run's row before any work, so even a killed run leaves a trace. Runs and
    checkpoints that a crash left open are closed as interrupted (the caller holds the writer
    lock, so none of them is still running)."""
    with writing(engine).begin() as connection:
        close_interrupted_runs(connection)
        connection.execute(
            update(schema.batch_checkpoints)
            .where(schema.batch_checkpoints.c.status == "pending")
            .values(status="interrupted")
        )
        result = connection.execute(
            insert(schema.update_logs).values(**run_columns(metrics), metrics=metrics.as_dict())
        )
        run_id = result.inserted_primary_key[0] if result.inserted_primary_key else None
    assert run_id is not None
    metrics.run_id = int(run_id)
    return metrics.run_id


def finish_run(engine: Engine, metrics: RunMetrics) -> None:
    """Record the outcome. Runs in its own transaction, so a failed run is recorded too."""
    if metrics.run_id is None:
        return
    with writing(engine).begin() as connection:
        connection.execute(
            update(schema.update_logs)
            .where(schema.update_logs.c.run_id == metrics.run_id)
            .values(
                end_time=naive_utc(metrics.end_time),
                duration_seconds=metrics.duration_seconds,
                hearings_checked=metrics.hearings_checked,
                hearings_added=metrics.hearings_added,
                hearings_updated=metrics.hearings_updated,
                hearings_unchanged=metrics.hearings_unchanged,
                committees_updated=metrics.committees_updated,
                witnesses_updated=metrics.witnesses_updated,
                api_requests=metrics.api_requests,
                error_count=metrics.error_count,
                quarantined=metrics.quarantined,
                success=metrics.success,
                exit_code=metrics.exit_code,
                metrics=metrics.as_dict(),
            )
        )
