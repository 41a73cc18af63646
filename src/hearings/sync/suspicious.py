"""Suspicious changes: a new version of a meeting that degrades it against what is stored.

A title replaced by a placeholder or by its committee's name, every witness gone from a meeting
that has taken place, the date removed, every document gone, a chamber or congress change: each
is a `Degradation` with a stable reason code. Ordinary edits (a status, a new room, a revised
title, one witness less) never are. `degradations` is a pure comparison of two `MeetingShape`s;
`stored_shapes` reads the stored side in a few queries per batch.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal

from sqlalchemy import Connection, Table, bindparam, func, select

from hearings.congress_api.models import Meeting
from hearings.store import schema
from hearings.store.meeting_start import shown_start, stored_start
from hearings.store.records import MeetingRows

Reason = Literal[
    "title_placeholder",
    "title_committee_name",
    "witnesses_removed",
    "date_removed",
    "documents_removed",
    "chamber_changed",
    "congress_changed",
]

# Words that, alone or together, name no particular meeting: "Hearing", "Full Committee
# Markup", "TBD", "Untitled". A title made only of them says nothing a stored title did not.
_GENERIC_WORDS = frozenset(
    {
        *("hearing", "hearings", "meeting", "meetings", "markup", "markups", "business"),
        *("session", "full", "committee", "subcommittee", "tbd", "tba", "untitled", "title"),
        *("placeholder", "n", "a", "na", "none", "null", "to", "be", "determined", "announced"),
        *("notice", "event"),
    }
)
# Words a committee's name may carry or drop without naming another committee.
_COMMITTEE_FILLER = frozenset(
    {"house", "senate", "joint", "committee", "subcommittee", "on", "the", "of", "us"}
)
_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True, slots=True)
class MeetingShape:
    """What a degradation is judged on: one version of a meeting, reduced to a few facts."""

    title: str | None
    start_at: datetime | None  # naive UTC
    chamber: str
    congress: int
    witnesses: int
    documents: int  # meeting documents and witness documents together
    committee_names: frozenset[str] = frozenset()
    start_date_only: bool = False  # `start_at` is the midnight (Eastern) of a day with no time


@dataclass(frozen=True, slots=True)
class Degradation:
    """One way a new version is worse than the stored one, said plainly, with before and after."""

    reason: Reason
    sentence: str
    before: str
    after: str


def shape_of(meeting: Meeting, rows: MeetingRows) -> MeetingShape:
    """An admitted meeting's shape, counted from the rows it would write."""
    start_at, date_only = stored_start(meeting.date)
    return MeetingShape(
        title=meeting.title,
        start_at=start_at,
        start_date_only=date_only,
        chamber=meeting.chamber,
        congress=meeting.congress,
        witnesses=len(rows.appearances),
        documents=len(rows.meeting_documents) + len(rows.witness_documents),
        committee_names=frozenset(c.name for c in meeting.committees if c.name),
    )


def degradations(before: MeetingShape, after: MeetingShape, *, now: datetime) -> list[Degradation]:
    """How `after` degrades `before` (empty for an ordinary edit); `now` is naive UTC."""
    found: list[Degradation] = []
    title = _title_degradation(before, after)
    if title is not None:
        found.append(title)
    held_on = after.start_at or before.start_at
    if before.witnesses and not after.witnesses and held_on is not None and held_on < now:
        found.append(
            Degradation(
                "witnesses_removed",
                "Every witness was removed from a meeting that has already taken place.",
                _count(before.witnesses, "witness", "witnesses"),
                "no witnesses",
            )
        )
    if before.start_at is not None and after.start_at is None:
        found.append(
            Degradation(
                "date_removed",
                "The date was removed.",
                _start_text(before),
                "no date",
            )
        )
    if before.documents and not after.documents:
        found.append(
            Degradation(
                "documents_removed",
                "Every document was removed.",
                _count(before.documents, "document", "documents"),
                "no documents",
            )
        )
    if before.chamber != after.chamber:
        found.append(
            Degradation("chamber_changed", "The chamber changed.", before.chamber, after.chamber)
        )
    if before.congress != after.congress:
        found.append(
            Degradation(
                "congress_changed",
                "The congress changed.",
                str(before.congress),
                str(after.congress),
            )
        )
    return found


def _title_degradation(before: MeetingShape, after: MeetingShape) -> Degradation | None:
    shown = (_shown(before.title), _shown(after.title))
    if is_placeholder(after.title) and not is_placeholder(before.title):
        return Degradation("title_placeholder", "The title was replaced by a placeholder.", *shown)
    names = before.committee_names | after.committee_names
    if (
        _retitled(before.title, after.title)
        and _names_a_committee(after.title, names)
        and not _names_a_committee(before.title, names)
    ):
        return Degradation(
            "title_committee_name", "The title was replaced by the committee's name.", *shown
        )
    return None


def is_placeholder(title: str | None) -> bool:
    """A title that names no meeting: empty, or only words like "Hearing", "Markup", "TBD"."""
    return all(word in _GENERIC_WORDS for word in _words(title))


def _names_a_committee(title: str | None, names: frozenset[str]) -> bool:
    words = _committee_words(title)
    return bool(words) and any(words == _committee_words(name) for name in names)


def _words(text: str | None) -> list[str]:
    return _WORD.findall((text or "").casefold().replace("&", " and "))


def _committee_words(text: str | None) -> list[str]:
    return [w for w in _words(text) if w not in _COMMITTEE_FILLER]


def _shown(title: str | None) -> str:
    text = (title or "").strip()
    if not text:
        return "(no title)"
    return text if len(text) <= 200 else text[:199] + "…"


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


# ---- the stored side -------------------------------------------------------------------------


def stored_shapes(
    connection: Connection, incoming: Mapping[str, tuple[str, MeetingShape]]
) -> dict[str, MeetingShape]:
    """The stored shape of each meeting in `incoming` (event id → the new version's content hash
    and shape) that the database holds with other content. Child rows are counted only where the
    new version has none (only then can it have lost them all), and committee names are read only
    where the title changed; elsewhere those fields are left empty."""
    if not incoming:
        return {}
    found = {
        row.event_id: MeetingShape(
            row.title,
            row.start_at,
            row.chamber,
            row.congress,
            0,
            0,
            start_date_only=bool(row.start_date_only),
        )
        for row in connection.execute(_STORED, {"ids": sorted(incoming)})
        if row.content_hash != incoming[row.event_id][0]
    }
    if not found:
        return found
    after = {event_id: incoming[event_id][1] for event_id in found}
    witnesses = _counts(connection, schema.witness_appearances, after, "witnesses")
    documents = _counts(connection, schema.meeting_documents, after, "documents")
    for event_id, count in _counts(
        connection, schema.witness_documents, after, "documents"
    ).items():
        documents[event_id] = documents.get(event_id, 0) + count
    retitled = [e for e, shape in found.items() if _retitled(shape.title, after[e].title)]
    names: dict[str, set[str]] = {}
    if retitled:
        links, committees = schema.hearing_committees, schema.committees
        for row in connection.execute(
            select(links.c.event_id, committees.c.name)
            .join(committees, committees.c.system_code == links.c.system_code)
            .where(links.c.event_id.in_(sorted(retitled)), committees.c.name.is_not(None))
        ):
            names.setdefault(row.event_id, set()).add(row.name)
    read = witnesses.keys() | documents.keys() | names.keys()
    for event_id in read:
        found[event_id] = replace(
            found[event_id],
            witnesses=witnesses.get(event_id, 0),
            documents=documents.get(event_id, 0),
            committee_names=frozenset(names.get(event_id, ())),
        )
    return found


def _start_text(shape: MeetingShape) -> str:
    """`2025-06-24 14:00 UTC`, or `2025-06-24` for a day that came without a time."""
    start = shown_start(shape.start_at, shape.start_date_only)
    return f"{start:%Y-%m-%d %H:%M} UTC" if isinstance(start, datetime) else str(start)


def _retitled(before: str | None, after: str | None) -> bool:
    return before != after and _words(before) != _words(after)


_STORED = select(
    schema.hearings.c.event_id,
    schema.hearings.c.title,
    schema.hearings.c.start_at,
    schema.hearings.c.start_date_only,
    schema.hearings.c.chamber,
    schema.hearings.c.congress,
    schema.hearings.c.content_hash,
).where(schema.hearings.c.event_id.in_(bindparam("ids", expanding=True)))


def _counts(
    connection: Connection, table: Table, after: Mapping[str, MeetingShape], field: str
) -> dict[str, int]:
    """Stored rows of `table` per meeting, for the meetings whose new version has no `field`."""
    emptied = sorted(e for e, shape in after.items() if not getattr(shape, field))
    if not emptied:
        return {}
    column = table.c.event_id
    rows = connection.execute(
        select(column, func.count()).where(column.in_(emptied)).group_by(column)
    )
    return {event_id: int(count) for event_id, count in rows}
