"""Changes across the database: each new version of a meeting since a moment, newest first, with
its sentences (as `hearings history` words them) and its kinds (postponed, canceled, rescheduled,
witnesses changed), for `/changes`, its API and its Atom feeds."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Connection, Select

from hearings.reports.history import (
    AFTER_DAMAGED_VERSION,
    DAMAGED_VERSION,
    api_moment,
    describe_changes,
    is_move,
    plain_text,
    witness_sentences,
)
from hearings.store.archive_changes import VersionStep, payloads_of, version_steps

ChangeKind = Literal["postponed", "canceled", "rescheduled", "witnesses"]
CHANGE_KINDS: dict[str, str] = {
    "postponed": "Postponed",
    "canceled": "Canceled",
    "rescheduled": "Rescheduled or moved",
    "witnesses": "Witnesses changed",
}


def change_kinds(before: dict[str, Any], after: dict[str, Any]) -> list[ChangeKind]:
    """The kinds of a change, from the two payloads: postponed or canceled (the status became
    so), rescheduled (the status became Rescheduled, or the date moved), witnesses changed."""
    kinds: list[ChangeKind] = []
    was = (plain_text(before.get("meetingStatus")) or "").lower()
    now = (plain_text(after.get("meetingStatus")) or "").lower()
    if now != was and now == "postponed":
        kinds.append("postponed")
    if now != was and now in ("canceled", "cancelled"):
        kinds.append("canceled")
    # As history says it: "Moved from … to …", not "Time given" on the same day.
    moved = is_move(api_moment(before.get("date")), api_moment(after.get("date")))
    if (now != was and now == "rescheduled") or moved:
        kinds.append("rescheduled")
    if witness_sentences(before.get("witnesses"), after.get("witnesses")):
        kinds.append("witnesses")
    return kinds


@dataclass
class MeetingChange:
    """One new version of a meeting that had an earlier one, and what changed in it."""

    event_id: str
    version: int
    version_id: int
    first_seen_at: datetime
    run_id: int | None
    changes: list[str]
    kinds: list[ChangeKind]


def recent_changes(
    connection: Connection,
    *,
    since: datetime | None,
    among: Select[Any] | None = None,
    kinds: Collection[str] = (),
    limit: int,
    offset: int = 0,
) -> tuple[int, list[MeetingChange]]:
    """Changes to meetings first seen since `since`, newest first, and how many there are.
    Only the two versions of each change are unpacked; with `kinds`, every change in the
    period is (the kind is in the payloads, not in a column)."""
    if not kinds:
        total, steps = version_steps(
            connection, "meeting", since=since, among=among, limit=limit, offset=offset
        )
        return total, _changes(connection, steps)
    _, steps = version_steps(connection, "meeting", since=since, among=among)
    matching: list[MeetingChange] = []
    for start in range(0, len(steps), _UNPACK_CHUNK):
        found = _changes(connection, steps[start : start + _UNPACK_CHUNK])
        matching += [c for c in found if set(c.kinds) & set(kinds)]
    return len(matching), matching[offset : offset + limit]


_UNPACK_CHUNK = 200


def _changes(connection: Connection, steps: Sequence[VersionStep]) -> list[MeetingChange]:
    payloads = payloads_of(
        connection, [s.version_id for s in steps] + [s.previous_id for s in steps]
    )
    changes = []
    for step in steps:
        before, after = payloads.get(step.previous_id), payloads.get(step.version_id)
        if before is None or after is None:
            # A damaged archived copy (logged by `payloads_of`; `hearings verify` names it).
            sentences, kinds = [DAMAGED_VERSION if after is None else AFTER_DAMAGED_VERSION], []
        else:
            sentences = describe_changes(before, after) or ["Details changed"]
            kinds = change_kinds(before, after)
        changes.append(
            MeetingChange(
                event_id=step.identifier,
                version=step.number,
                version_id=step.version_id,
                first_seen_at=step.first_seen_at,
                run_id=step.run_id,
                changes=sentences,
                kinds=kinds,
            )
        )
    return changes
