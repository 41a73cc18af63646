"""Changes across the database: each new version of a meeting since a moment, newest first, with
its sentences (as `hearings history` words them) and its kinds (postponed, canceled, rescheduled,
witnesses changed), for `/changes`, its API and its Atom feeds."""

from __future__ import annotations

import threading
from collections.abc import Collection, Sequence
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
from hearings.store.archive_changes import (
    VersionStep,
    payloads_of,
    version_steps,
)

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
    # As history says it: "Moved from … to …", not "Time given" on the same day. An equal
    # value changed nothing, and is not read: most changes leave date and witnesses alone.
    moved = before.get("date") != after.get("date") and is_move(
        api_moment(before.get("date")), api_moment(after.get("date"))
    )
    if (now != was and now == "rescheduled") or moved:
        kinds.append("rescheduled")
    witnesses = before.get("witnesses"), after.get("witnesses")
    if witnesses[0] != witnesses[1] and witness_sentences(*witnesses):
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


@dataclass(frozen=True, slots=True)
class Naming:
    """What one version of a meeting names that a filter can ask about."""

    chamber: str  # lower case, "" for none
    congress: object  # as the payload gives it
    committees: frozenset[str]

    @classmethod
    def of(cls, payload: dict[str, Any]) -> Naming:
        return cls(
            (plain_text(payload.get("chamber")) or "").lower(),
            payload.get("congress"),
            frozenset(_committee_codes(payload)),
        )


@dataclass(frozen=True)
class Involving:
    """Which meetings a change belongs to, read from its two versions: a meeting that left a
    committee (or chamber, or Congress) in the change still belongs to it there. `None` leaves
    that part open."""

    committees: frozenset[str] | None = None
    chamber: str | None = None
    congresses: frozenset[int] | None = None

    def matches(self, named: Naming) -> bool:
        if self.chamber is not None and named.chamber != self.chamber.lower():
            return False
        if self.congresses is not None and named.congress not in self.congresses:
            return False
        return self.committees is None or bool(self.committees & named.committees)


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
    also belongs by what either of its versions was. Only the page's changes are described;
    with `kinds` or `involving`, every change in the period is read first (both are in the
    payloads, not in columns), unless `count_all` is off: then the count is of those found up
    to the page's end, where the reading stops."""
    if not kinds and involving is None:
        total, steps = version_steps(
            connection, "meeting", since=since, among=among, limit=limit, offset=offset
        )
        return total, _described(connection, steps)
    now_in = None if among is None else set(connection.execute(among).scalars())

    def keep(step: VersionStep, facts: Facts) -> bool:
        if kinds and not set(facts.kinds) & set(kinds):
            return False
        if involving is None:
            return now_in is None or step.identifier in now_in
        return (
            (now_in is not None and step.identifier in now_in)
            or involving.matches(facts.before)
            or involving.matches(facts.after)
        )

    # Every step of the period in one query (a query a chunk cost 20 times more, each sorting
    # them all again); their facts a chunk at a time, until the page is full if not counting.
    scope = among if involving is None else None
    _, steps = version_steps(connection, "meeting", since=since, among=scope)
    matching: list[VersionStep] = []
    for start in range(0, len(steps), _READ_CHUNK):
        chunk = steps[start : start + _READ_CHUNK]
        facts = _facts_of(connection, chunk)
        # A damaged version has no facts: nothing tells whether it belongs.
        matching += [s for s in chunk if s.version_id in facts and keep(s, facts[s.version_id])]
        if not count_all and len(matching) >= offset + limit:
            break
    return len(matching), _described(connection, matching[offset : offset + limit])


_READ_CHUNK = 200


def _described(connection: Connection, steps: Sequence[VersionStep]) -> list[MeetingChange]:
    """Each change with its sentences and kinds, from its two payloads."""
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


@dataclass(frozen=True, slots=True)
class Facts:
    """What the filters ask of a change, read from its two payloads: its kinds, and what each
    version names."""

    kinds: tuple[ChangeKind, ...]
    before: Naming
    after: Naming


class _KeptFacts:
    """Facts kept by their two versions' content hashes, which name the payloads they were read
    from (unlike version ids, which another database, or this one restored, gives to other
    payloads). A filtered page or feed reads every change of its period: asked again, as feed
    readers do, it unpacks only the changes it has not read, where two payloads' zlib and JSON
    were most of its time (0.7 of 1.0 s for 5,000 changes)."""

    def __init__(self, bound: int) -> None:
        self._bound = bound
        self._kept: dict[tuple[str, str], Facts] = {}
        self._lock = threading.Lock()

    def get(self, key: tuple[str, str]) -> Facts | None:
        return self._kept.get(key)

    def put(self, key: tuple[str, str], facts: Facts) -> None:
        with self._lock:
            self._kept[key] = facts
            while len(self._kept) > self._bound:  # the oldest kept goes first
                del self._kept[next(iter(self._kept))]


# A few hundred bytes each: a year of daily changes to a busy Congress.
_KEPT = _KeptFacts(bound=100_000)


def _facts_of(connection: Connection, steps: Sequence[VersionStep]) -> dict[int, Facts]:
    """The facts of each step by its version id, a damaged one left out; only the payloads of
    steps not read before are unpacked."""
    found: dict[int, Facts] = {}
    unread: list[VersionStep] = []
    for step in steps:
        kept = _KEPT.get((step.previous_hash, step.content_hash))
        if kept is None:
            unread.append(step)
        else:
            found[step.version_id] = kept
    payloads = payloads_of(
        connection, [s.version_id for s in unread] + [s.previous_id for s in unread]
    )
    for step in unread:
        before, after = payloads.get(step.previous_id), payloads.get(step.version_id)
        if before is None or after is None:
            continue
        facts = found[step.version_id] = Facts(
            tuple(change_kinds(before, after)), Naming.of(before), Naming.of(after)
        )
        _KEPT.put((step.previous_hash, step.content_hash), facts)
    return found
