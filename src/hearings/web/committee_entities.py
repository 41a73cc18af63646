"""Committees: the list by chamber and name; one committee with its parent, its subcommittees
and its meetings counted by Congress. A committee is one row under its system code, whatever
the Congresses it met in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, func, select

from hearings.store import schema
from hearings.store.meeting_span import span_columns, span_of
from hearings.store.meeting_start import Start
from hearings.web.timefmt import iso_z

CHAMBER_ORDER = {"House": 0, "Senate": 1, "Joint": 2}


@dataclass
class CommitteeSummary:
    system_code: str
    name: str | None
    chamber: str | None
    committee_type: str | None
    parent_code: str | None
    is_current: bool | None
    hearing_count: int

    def as_json(self) -> dict[str, Any]:
        return {
            "system_code": self.system_code,
            "name": self.name,
            "chamber": self.chamber,
            "type": self.committee_type,
            "parent": self.parent_code,
            "is_current": self.is_current,
            "hearing_count": self.hearing_count,
        }


def reading_order(committee: CommitteeSummary) -> tuple[int, str, str]:
    """House, Senate, then joint; by name within each, "Committee on" and "The" set aside."""
    name = (committee.name or committee.system_code).lower()
    for prefix in ("committee on the ", "committee on ", "the "):
        if name.startswith(prefix):
            name = name[len(prefix) :]
            break
    return (CHAMBER_ORDER.get(committee.chamber or "", 3), name, committee.system_code)


def _committee_query(counts: Any) -> Any:
    committees = schema.committees
    return select(
        committees.c.system_code,
        committees.c.name,
        committees.c.chamber,
        committees.c.committee_type,
        committees.c.parent_code,
        committees.c.is_current,
        func.coalesce(counts.c.hearing_count, 0).label("hearing_count"),
    ).outerjoin(counts, counts.c.system_code == committees.c.system_code)


def _hearing_counts(congresses: Sequence[int] | None = None) -> Any:
    """Meetings per committee code: all of them, or those of `congresses`."""
    links, hearings = schema.hearing_committees, schema.hearings
    query = select(links.c.system_code, func.count().label("hearing_count"))
    if congresses is not None:
        query = query.join(hearings, hearings.c.event_id == links.c.event_id).where(
            hearings.c.congress.in_(sorted(set(congresses)))
        )
    return query.group_by(links.c.system_code).subquery()


def _committee(row: Any) -> CommitteeSummary:
    return CommitteeSummary(
        row.system_code,
        row.name,
        row.chamber,
        row.committee_type,
        row.parent_code,
        None if row.is_current is None else bool(row.is_current),
        int(row.hearing_count),
    )


def list_committees(
    connection: Connection,
    *,
    chamber: str | None = None,
    congresses: Sequence[int] | None = None,
) -> list[CommitteeSummary]:
    """Every committee with its meeting count (in `congresses` only, when given), by chamber
    and then by name."""
    committees = schema.committees
    query = _committee_query(_hearing_counts(congresses))
    if chamber is not None:
        query = query.where(func.lower(committees.c.chamber) == chamber.lower())
    rows = [_committee(r) for r in connection.execute(query)]
    return sorted(rows, key=reading_order)


@dataclass(frozen=True)
class CongressMeetings:
    """A committee's meetings (its subcommittees' included) in one Congress."""

    congress: int
    meetings: int
    # A moment, or a day for a meeting dated without a time.
    first_meeting: Start | None
    last_meeting: Start | None

    def as_json(self) -> dict[str, Any]:
        return {
            "congress": self.congress,
            "meetings": self.meetings,
            "first_meeting": iso_z(self.first_meeting),
            "last_meeting": iso_z(self.last_meeting),
        }


@dataclass
class CommitteeDetail:
    committee: CommitteeSummary
    parent: CommitteeSummary | None
    subcommittees: list[CommitteeSummary]
    # Newest Congress first.
    by_congress: list[CongressMeetings] = field(default_factory=list)

    @property
    def family_codes(self) -> list[str]:
        return [self.committee.system_code, *(s.system_code for s in self.subcommittees)]

    def as_json(self) -> dict[str, Any]:
        return {
            **self.committee.as_json(),
            "parent_committee": self.parent.as_json() if self.parent else None,
            "subcommittees": [s.as_json() for s in self.subcommittees],
            "meetings_by_congress": [c.as_json() for c in self.by_congress],
        }


def meetings_by_congress(connection: Connection, codes: list[str]) -> list[CongressMeetings]:
    """Meetings of any of `codes` per Congress, newest Congress first; a meeting two of them
    held together counts once."""
    hearings, links = schema.hearings, schema.hearing_committees
    held = select(links.c.event_id).where(links.c.system_code.in_(codes))
    rows = connection.execute(
        select(hearings.c.congress, func.count().label("meetings"), *span_columns())
        .where(hearings.c.event_id.in_(held))
        .group_by(hearings.c.congress)
        .order_by(hearings.c.congress.desc())
    )
    return [CongressMeetings(int(r.congress), int(r.meetings), *span_of(r)) for r in rows]


def load_committee(connection: Connection, code: str) -> CommitteeDetail | None:
    committees = schema.committees
    counts = _hearing_counts()
    row = connection.execute(
        _committee_query(counts).where(committees.c.system_code == code)
    ).first()
    if row is None:
        return None
    committee = _committee(row)
    parent = None
    if committee.parent_code:
        parent_row = connection.execute(
            _committee_query(counts).where(committees.c.system_code == committee.parent_code)
        ).first()
        parent = _committee(parent_row) if parent_row else None
    subcommittees = [
        _committee(r)
        for r in connection.execute(
            _committee_query(counts).where(committees.c.parent_code == code)
        )
    ]
    subcommittees.sort(key=reading_order)
    detail = CommitteeDetail(committee, parent, subcommittees)
    detail.by_congress = meetings_by_congress(connection, detail.family_codes)
    return detail
