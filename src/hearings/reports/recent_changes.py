"""Changes across the database: each new version of a meeting since a moment, newest first, with
its sentences (as `hearings history` words them) and its kinds (postponed, canceled, rescheduled,
witnesses changed), for `/changes`, its API and its Atom feeds."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Connection, Select

from hearings.reports.history import (
    AFTER_DAMAGED_VERSION,
    DAMAGED_VERSION,
    describe_changes,
    plain_text,
    witness_sentences,
)
from hearings.reports.moved_sentences import api_moment, is_move
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


@dataclass(frozen=True)
class Involving:
    """Which meetings a change belongs to, read from its two versions: a meeting that left a
    committee (or chamber, or Congress) in the change still belongs to it there. `None` leaves
    that part open."""

    committees: frozenset[str] | None = None
    chamber: str | None = None
    congresses: frozenset[int] | None = None

    def matches(self, payload: dict[str, Any]) -> bool:
        chamber = (plain_text(payload.get("chamber")) or "").lower()
        if self.chamber is not None and chamber != self.chamber.lower():
            return False
        if self.congresses is not None and payload.get("congress") not in self.congresses:
            return False
        return self.committees is None or bool(self.committees & _committee_codes(payload))


def _committee_codes(payload: dict[str, Any]) -> set[str]:
    listed = payload.get("committees")
    items = listed.get("item") if isinstance(listed, dict) else listed
    return {
        str(item["systemCode"]).strip().lower()
        for item in (items if isinstance(items, list) else [])
        if isinstance(item, dict) and isinstance(item.get("systemCode"), str)
    }


def recent_changes(
    connection: Connection,
    *,
    since: datetime | None,
    among: Select[Any] | None = None,
    involving: Involving | None = None,
    kinds: Collection[str] = (),
    limit: int,
    offset: int = 0,
    count_all: bool = True,
) -> tuple[int, list[MeetingChange]]:
    """Changes to meetings first seen since `since`, newest first, and how many there are.
    `among` selects the meetings that belong by what they are now; with `involving`, a change
    also belongs by what either of its versions was. Only the two versions of each change are
    unpacked; with `kinds` or `involving`, every change in the period is (both are in the
    payloads, not in columns), unless `count_all` is off: then the count is of those found up
    to the page's end, where the reading stops."""
    if not kinds and involving is None:
        total, steps = version_steps(
            connection, "meeting", since=since, among=among, limit=limit, offset=offset
        )
        return total, _changes(connection, steps)
    now_in = None if among is None else set(connection.execute(among).scalars())

    def keep(step: VersionStep, before: dict[str, Any], after: dict[str, Any]) -> bool:
        if kinds and not set(change_kinds(before, after)) & set(kinds):
            return False
        if involving is None:
            return now_in is None or step.identifier in now_in
        return (
            (now_in is not None and step.identifier in now_in)
            or involving.matches(before)
            or involving.matches(after)
        )

    # Every step of the period in one query (a query a chunk cost 20 times more, each sorting
    # them all again); the payloads a chunk at a time, until the page is full if not counting.
    scope = among if involving is None else None
    _, steps = version_steps(connection, "meeting", since=since, among=scope)
    matching: list[MeetingChange] = []
    for start in range(0, len(steps), _UNPACK_CHUNK):
        matching += _changes(connection, steps[start : start + _UNPACK_CHUNK], keep)
        if not count_all and len(matching) >= offset + limit:
            break
    return len(matching), matching[offset : offset + limit]


_UNPACK_CHUNK = 200


Keep = Callable[[VersionStep, dict[str, Any], dict[str, Any]], bool]


def _changes(
    connection: Connection, steps: Sequence[VersionStep], keep: Keep | None = None
) -> list[MeetingChange]:
    payloads = payloads_of(
        connection, [s.version_id for s in steps] + [s.previous_id for s in steps]
    )
    changes = []
    for step in steps:
        before, after = payloads.get(step.previous_id), payloads.get(step.version_id)
        if before is None or after is None:
            # A damaged archived copy (logged by `payloads_of`; `hearings verify` names it).
            if keep is not None:
                continue  # nothing to tell whether it belongs
            sentences, kinds = [DAMAGED_VERSION if after is None else AFTER_DAMAGED_VERSION], []
        elif keep is not None and not keep(step, before, after):
            continue
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
