"""Review of versions held as suspicious (SUSPICIOUS_CHANGES=hold): accept applies the held
version, reject discards it so that exact version (its content hash) is never applied again.

Both work on a quarantine entry by its id, under the writer lock, so a review never races an
update, and take the backup they are given first, as an update does. The decision is kept in the
entry's locator; see `quarantine.review_marks`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Connection, Engine, select, update

from hearings.errors import HearingsError
from hearings.store import schema
from hearings.store.archive import Version, archive_versions
from hearings.store.engine import writing
from hearings.store.run_tables import MAX_INTEGER_ID
from hearings.store.writer_lock import writer_lock
from hearings.sync import quarantine as quarantine_store
from hearings.sync.batches import Change, apply_changes
from hearings.sync.failpoints import FailureInjector
from hearings.sync.gate import Admitted, Request, admit_item
from hearings.sync.screening import version_hash

log = logging.getLogger(__name__)

Decision = Literal["accepted", "rejected"]
# Backs the database up and says where (None: nothing to back up); called under the writer lock.
BackUp = Callable[[], Path | None]


class ReviewRefused(HearingsError):
    """The quarantine entry is not a held suspicious version waiting for review."""


class NoSuchEntry(ReviewRefused):
    """No quarantine entry has the id given."""

    def __init__(self, error_id: int):
        super().__init__(
            f"There is no quarantine entry {error_id}; `hearings quarantine list` shows them."
        )
        self.error_id = error_id


@dataclass(frozen=True)
class HeldVersion:
    """An open quarantine entry holding a suspicious version of a meeting."""

    error_id: int
    event_id: str
    reason: str
    attempts: int
    first_seen_at: datetime
    last_seen_at: datetime


@dataclass(frozen=True)
class ReviewOutcome:
    error_id: int
    event_id: str
    decision: Decision
    # Accepted: applied now, or (when it could not be) left for the next update to apply.
    applied: bool
    # The backup taken before the decision was written.
    backup_path: Path | None = None

    @property
    def sentence(self) -> str:
        if self.decision == "rejected":
            return (
                f"Rejected the held version of meeting {self.event_id}: it will not be applied "
                "unless upstream changes the meeting again."
            )
        if self.applied:
            return f"Accepted and applied the held version of meeting {self.event_id}."
        return f"Accepted the held version of meeting {self.event_id}; the next update applies it."


def held_versions(connection: Connection) -> list[HeldVersion]:
    """Every suspicious version waiting for review, oldest first."""
    errors = schema.import_errors
    rows = connection.execute(
        select(errors)
        .where(
            errors.c.entity == "meeting",
            errors.c.resolved.is_(False),
            errors.c.reason.like(quarantine_store.SUSPICIOUS_PREFIX + "%"),
        )
        .order_by(errors.c.first_seen_at, errors.c.error_id)
    )
    return [
        HeldVersion(
            int(r.error_id),
            r.identifier,
            r.reason,
            int(r.attempts),
            r.first_seen_at,
            r.last_seen_at,
        )
        for r in rows
    ]


def accept(
    engine: Engine, error_id: int, *, backup: BackUp | None, now: datetime | None = None
) -> ReviewOutcome:
    """Accept a held version: apply it now, or, when that fails, on the next update."""
    moment = now or datetime.now(UTC)
    with writer_lock(engine, _url(engine)):
        row, change, backup_path = _prepare(engine, error_id, moment, backup)
        with writing(engine).begin() as connection:
            _decide(connection, row, version_hash(change), "accepted")
        applied = _apply(engine, change, moment)
    return ReviewOutcome(error_id, row.identifier, "accepted", applied, backup_path)


def reject(
    engine: Engine, error_id: int, *, backup: BackUp | None, now: datetime | None = None
) -> ReviewOutcome:
    """Reject a held version: its entry is closed and that exact version is never applied."""
    moment = now or datetime.now(UTC)
    with writer_lock(engine, _url(engine)):
        row, change, backup_path = _prepare(engine, error_id, moment, backup)
        with writing(engine).begin() as connection:
            _decide(connection, row, version_hash(change), "rejected")
            quarantine_store.resolve(connection, "meeting", [row.identifier], _naive(moment))
    return ReviewOutcome(error_id, row.identifier, "rejected", False, backup_path)


def _prepare(
    engine: Engine, error_id: int, moment: datetime, backup: BackUp | None
) -> tuple[Any, Change, Path | None]:
    """The held entry and its version, then the backup: an entry that cannot be reviewed is
    refused before anything is written, a backup included. The caller holds the writer lock."""
    with engine.connect() as connection:
        row = _held(connection, error_id)
    change = _held_change(row, moment)
    return row, change, backup() if backup is not None else None


def _held(connection: Connection, error_id: int) -> Any:
    if not 1 <= error_id <= MAX_INTEGER_ID:
        raise NoSuchEntry(error_id)
    errors = schema.import_errors
    row = connection.execute(select(errors).where(errors.c.error_id == error_id)).first()
    if row is None:
        raise NoSuchEntry(error_id)
    if row.entity != "meeting" or not row.reason.startswith(quarantine_store.SUSPICIOUS_PREFIX):
        raise ReviewRefused(
            f"Quarantine entry {error_id} is not a suspicious change held for review; only those "
            "can be accepted or rejected."
        )
    if row.resolved:
        raise ReviewRefused(f"Quarantine entry {error_id} was already reviewed or resolved.")
    return row


def _held_change(row: Any, moment: datetime) -> Change:
    """The held version, through the gate again (it passed once; it must still)."""
    locator = quarantine_store.stored_locator(row.locator)
    request = Request(
        "meeting", _congress(locator.get("congress")), locator.get("chamber"), row.identifier
    )
    try:
        payload = json.loads(row.raw_payload or "")
    except ValueError:
        payload = None
    verdict = admit_item(request, payload, now=moment) if isinstance(payload, dict) else None
    if not isinstance(verdict, Admitted) or verdict.rows is None:
        raise ReviewRefused(
            f"The held version in quarantine entry {row.error_id} can no longer be read; "
            "the next update fetches the meeting again."
        )
    return Change(verdict.record, verdict.payload, verdict.rows, request.locator, True)


def _decide(connection: Connection, row: Any, digest: str, decision: Decision) -> None:
    locator = quarantine_store.stored_locator(row.locator)
    # Every rejection is kept, so a version rejected earlier stays rejected whatever came after.
    rejected = quarantine_store.rejected_hashes(locator)
    locator.pop(quarantine_store.REJECTED_HASH, None)
    if decision == "accepted":
        rejected.discard(digest)
        locator[quarantine_store.ACCEPTED_HASH] = digest
    else:
        rejected.add(digest)
        if locator.get(quarantine_store.ACCEPTED_HASH) == digest:
            locator.pop(quarantine_store.ACCEPTED_HASH)
    locator[quarantine_store.REJECTED_HASHES] = sorted(rejected)
    errors = schema.import_errors
    connection.execute(
        update(errors).where(errors.c.error_id == row.error_id).values(locator=locator)
    )
    log.info(
        "quarantine entry %s (meeting %s) %s in review", row.error_id, row.identifier, decision
    )


def _apply(engine: Engine, change: Change, moment: datetime) -> bool:
    """Apply one accepted version with its archive entry, as a batch would; False when it cannot
    be applied now (a committee new to the database, say): the next update does it."""
    naive = _naive(moment)
    try:
        with writing(engine).begin() as connection:
            apply_changes(connection, [change], injector=FailureInjector(), now=moment)
            version = Version(
                "meeting",
                change.event_id,
                version_hash(change),
                change.payload,
                change.meeting.update_date,
                change.locator,
            )
            archive_versions(connection, [version], run_id=None, now=naive)
            quarantine_store.resolve(connection, "meeting", [change.event_id], naive)
    except Exception:  # the acceptance is kept; the next update applies the version
        log.exception("applying the accepted version of meeting %s failed", change.event_id)
        return False
    return True


def _congress(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None, microsecond=0)


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)
