"""The operator's report: what the updater did over the last N days.

Read from `update_logs` (the runs), `batch_checkpoints` (before-images of the meetings each batch
changed), `witnesses` and the quarantine. `Report.as_dict()` is the JSON schema documented in the
README; the text (rich) and Markdown renderers are in `hearings.reports.report_render`.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from hearings.reports.export import iso_utc
from hearings.store import schema

REPORT_VERSION = 1
_CHUNK = 500


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


@dataclass
class FieldChange:
    """One field of a meeting, before the period's first change and now."""

    field: str
    before: Any
    after: Any


@dataclass
class ChangedHearing:
    """A meeting added or changed in the period. `run_id` is the last run that did so and
    `change` what that run did; `changes` compare the meeting's first before-image in the
    period with its current rows (empty for a meeting added and not changed since)."""

    event_id: str
    # added | updated
    change: str
    run_id: int
    changed_at: str | None
    title: str | None
    start: str | None
    chamber: str
    committees: list[str]
    changes: list[FieldChange] = field(default_factory=list)


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
class AnomalyLine:
    run_id: int
    start_time: str | None
    message: str


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
        }


def build_report(engine: Engine, days: int, now: datetime) -> Report:
    """Everything that happened in the `days` before `now` (a naive `now` is UTC)."""
    end = _naive_utc(now)
    start = end - timedelta(days=days)
    with engine.connect() as connection:
        runs, anomalies = _runs(connection, start, end)
        changed = _changed_hearings(connection, start, end)
        witnesses = _new_witnesses(connection, start, end)
        quarantine = _open_quarantine(connection)
    summary = ReportSummary(
        runs=len(runs),
        succeeded=sum(1 for r in runs if r.outcome == "succeeded"),
        partial=sum(1 for r in runs if r.outcome == "partial"),
        failed=sum(1 for r in runs if r.outcome == "failed"),
        interrupted=sum(1 for r in runs if r.outcome == "interrupted"),
        hearings_checked=sum(r.hearings_checked for r in runs),
        hearings_updated=sum(r.hearings_updated for r in runs),
        hearings_added=sum(r.hearings_added for r in runs),
        quarantined=sum(r.quarantined for r in runs),
        list_entries_rejected=sum(r.list_entries_rejected for r in runs),
        open_quarantine=len(quarantine),
        anomalies=len(anomalies),
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


# The exit code of a run that committed some stages before another failed (sync.runner).
EXIT_PARTIAL = 4


def run_outcome(success: bool | None, exit_code: int | None = None) -> str:
    if success is None:
        return "interrupted"
    if success:
        return "succeeded"
    return "partial" if exit_code == EXIT_PARTIAL else "failed"


# ---- runs and anomalies --------------------------------------------------------------------


def _runs(
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
            )
        )
        for message in metrics.get("anomalies") or []:
            anomalies.append(AnomalyLine(int(row.run_id), started, str(message)))
    return runs, anomalies


# ---- changed hearings ----------------------------------------------------------------------


@dataclass
class _Touch:
    """A batch in the period that included a meeting, with the meeting's before-image."""

    run_id: int
    at: datetime
    before: dict[str, Any] | None


def _touches(connection: Connection, start: datetime, end: datetime) -> dict[str, list[_Touch]]:
    checkpoints = schema.batch_checkpoints
    touches: dict[str, list[_Touch]] = {}
    # Pending checkpoints never committed and rolled-back ones changed nothing; a partial batch
    # committed some of its meetings, which the comparison of before-images sorts out.
    for row in connection.execute(
        select(checkpoints)
        .where(
            checkpoints.c.created_at >= start,
            checkpoints.c.created_at <= end,
            checkpoints.c.status.in_(["committed", "partial"]),
        )
        .order_by(checkpoints.c.checkpoint_id)
    ):
        images = row.before_images if isinstance(row.before_images, dict) else {}
        for event_id in row.event_ids or []:
            image = images.get(str(event_id))
            touches.setdefault(str(event_id), []).append(
                _Touch(int(row.run_id), row.created_at, image if isinstance(image, dict) else None)
            )
    return touches


def _changed_hearings(
    connection: Connection, start: datetime, end: datetime
) -> list[ChangedHearing]:
    """Meetings some run in the period added or changed. Each touch's before-image is compared
    with the next one (or the current rows) to tell which run really changed what."""
    touches = _touches(connection, start, end)
    current = _current_meetings(connection, list(touches))
    changed: list[ChangedHearing] = []
    for event_id, seen in touches.items():
        now = current.get(event_id)
        if now is None:  # never applied (quarantined), or gone since
            continue
        states = [t.before for t in seen[1:]] + [now]
        last: _Touch | None = None
        for touch, after in zip(seen, states, strict=True):
            if after is not None and (touch.before is None or compare_meeting(touch.before, after)):
                last = touch
        if last is None:
            continue
        first_image = next((t.before for t in seen if t.before is not None), None)
        hearing = now["hearing"]
        changed.append(
            ChangedHearing(
                event_id=event_id,
                change="added" if last.before is None else "updated",
                run_id=last.run_id,
                changed_at=iso_utc(last.at),
                title=hearing["title"],
                start=hearing["start_at"],
                chamber=hearing["chamber"],
                committees=list(now["committees"]),
                changes=compare_meeting(first_image, now) if first_image else [],
            )
        )
    # Newest change first; within one batch, by event id (numerically). Both sorts are stable.
    changed.sort(key=lambda h: (len(h.event_id), h.event_id))
    # Timestamps have whole seconds, so an import and an update can tie: the later run wins.
    changed.sort(key=lambda h: (h.changed_at or "", h.run_id), reverse=True)
    return changed


def _current_meetings(connection: Connection, event_ids: Sequence[str]) -> dict[str, Any]:
    """The current rows, shaped like a checkpoint's before-image."""
    hearings = schema.hearings
    found: dict[str, Any] = {}
    for chunk in _chunks(event_ids):
        for row in connection.execute(select(hearings).where(hearings.c.event_id.in_(chunk))):
            found[row.event_id] = {
                "hearing": {
                    "title": row.title,
                    "status": row.status,
                    "chamber": row.chamber,
                    "start_at": iso_utc(row.start_at),
                    "room": row.room,
                    "building": row.building,
                    "address": row.address,
                    "content_hash": row.content_hash,
                },
                "committees": [],
                "witnesses": [],
            }
        links = schema.hearing_committees
        for row in connection.execute(
            select(links.c.event_id, links.c.system_code)
            .where(links.c.event_id.in_(chunk))
            .order_by(links.c.event_id, links.c.ordinal)
        ):
            if row.event_id in found:
                found[row.event_id]["committees"].append(row.system_code)
        appearances = schema.witness_appearances
        for row in connection.execute(
            select(appearances)
            .where(appearances.c.event_id.in_(chunk))
            .order_by(appearances.c.event_id, appearances.c.ordinal)
        ):
            if row.event_id in found:
                found[row.event_id]["witnesses"].append(
                    {
                        "name": row.name_as_given,
                        "organization": row.organization,
                        "position": row.position,
                    }
                )
    return found


_LOCATION = ("room", "building", "address")


def compare_meeting(before: dict[str, Any], after: dict[str, Any]) -> list[FieldChange]:
    """What differs between two before-image-shaped meetings: status, title, date, location,
    committees and witnesses; "other" when only the payload (documents, videos…) changed."""
    old, new = before.get("hearing") or {}, after.get("hearing") or {}
    changes: list[FieldChange] = []
    for name, column in (("status", "status"), ("title", "title"), ("start", "start_at")):
        if old.get(column) != new.get(column):
            changes.append(FieldChange(name, old.get(column), new.get(column)))
    old_place = {k: old.get(k) for k in _LOCATION}
    new_place = {k: new.get(k) for k in _LOCATION}
    if old_place != new_place:
        changes.append(FieldChange("location", old_place, new_place))
    if list(before.get("committees") or []) != list(after.get("committees") or []):
        changes.append(FieldChange("committees", before.get("committees"), after.get("committees")))
    old_witnesses = [_witness(w) for w in before.get("witnesses") or []]
    new_witnesses = [_witness(w) for w in after.get("witnesses") or []]
    if old_witnesses != new_witnesses:
        changes.append(FieldChange("witnesses", old_witnesses, new_witnesses))
    if not changes and old.get("content_hash") != new.get("content_hash"):
        changes.append(FieldChange("other", None, None))
    return changes


def _witness(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": entry.get("name"),
        "organization": entry.get("organization"),
        "position": entry.get("position"),
    }


def witness_delta(change: FieldChange) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(added, removed) witnesses of a `witnesses` change, as multisets in their list order."""
    before, after = list(change.before or []), list(change.after or [])
    remaining = Counter(_witness_key(w) for w in before)
    added = []
    for witness in after:
        key = _witness_key(witness)
        if remaining[key]:
            remaining[key] -= 1
        else:
            added.append(witness)
    kept = Counter(_witness_key(w) for w in after)
    removed = []
    for witness in before:
        key = _witness_key(witness)
        if kept[key]:
            kept[key] -= 1
        else:
            removed.append(witness)
    return added, removed


def _witness_key(witness: dict[str, Any]) -> tuple[Any, ...]:
    return (witness.get("name"), witness.get("organization"), witness.get("position"))


# ---- witnesses and quarantine --------------------------------------------------------------


def _new_witnesses(connection: Connection, start: datetime, end: datetime) -> list[NewWitness]:
    witnesses, appearances = schema.witnesses, schema.witness_appearances
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
            witnesses.c.first_seen_at.desc(), witnesses.c.display_name, witnesses.c.witness_id
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


def _open_quarantine(connection: Connection) -> list[QuarantineLine]:
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
            .order_by(errors.c.first_seen_at, errors.c.entity, errors.c.identifier)
        )
    ]


def _chunks(items: Sequence[str]) -> Iterable[list[str]]:
    for start in range(0, len(items), _CHUNK):
        yield list(items[start : start + _CHUNK])
