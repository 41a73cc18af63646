"""What the database holds for each Congress: meetings, printed hearings, witnesses and their
appearances, committees that met, and the span of meeting dates. Shared by `hearings status`
and /api/stats."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from hearings.store import schema
from hearings.store.meeting_span import span_columns, span_of
from hearings.store.meeting_start import Start, start_iso


@dataclass(frozen=True)
class CongressCounts:
    congress: int
    meetings: int
    printed_hearings: int
    witness_appearances: int
    # Distinct witnesses who appeared in this Congress; one who appeared in several Congresses
    # counts in each of them (and once in the database's total).
    witnesses: int
    committees_with_meetings: int
    # The earliest and latest start: a moment, or a day for a meeting dated without a time.
    first_meeting: Start | None
    last_meeting: Start | None

    def as_json(self) -> dict[str, Any]:
        return {
            "congress": self.congress,
            "meetings": self.meetings,
            "printed_hearings": self.printed_hearings,
            "witness_appearances": self.witness_appearances,
            "witnesses": self.witnesses,
            "committees_with_meetings": self.committees_with_meetings,
            "first_meeting": start_iso(self.first_meeting),
            "last_meeting": start_iso(self.last_meeting),
        }


def counts_by_congress(connection: Connection) -> list[CongressCounts]:
    """One entry per Congress with meetings or printed hearings, newest Congress first."""
    hearings, printed = schema.hearings, schema.printed_hearings
    appearances, links = schema.witness_appearances, schema.hearing_committees
    meetings = {
        int(row.congress): (int(row.n), *span_of(row))
        for row in connection.execute(
            select(hearings.c.congress, func.count().label("n"), *span_columns()).group_by(
                hearings.c.congress
            )
        )
    }
    printed_counts = _grouped(
        connection, select(printed.c.congress, func.count()).group_by(printed.c.congress)
    )
    appeared = {
        int(row.congress): (int(row.n), int(row.people))
        for row in connection.execute(
            select(
                hearings.c.congress,
                func.count().label("n"),
                func.count(func.distinct(appearances.c.witness_id)).label("people"),
            )
            .join(hearings, hearings.c.event_id == appearances.c.event_id)
            .group_by(hearings.c.congress)
        )
    }
    committees = _grouped(
        connection,
        select(hearings.c.congress, func.count(func.distinct(links.c.system_code)))
        .join(hearings, hearings.c.event_id == links.c.event_id)
        .group_by(hearings.c.congress),
    )
    result = []
    for congress in sorted(set(meetings) | set(printed_counts), reverse=True):
        count, first, last = meetings.get(congress, (0, None, None))
        appearance_count, people = appeared.get(congress, (0, 0))
        result.append(
            CongressCounts(
                congress=congress,
                meetings=count,
                printed_hearings=printed_counts.get(congress, 0),
                witness_appearances=appearance_count,
                witnesses=people,
                committees_with_meetings=committees.get(congress, 0),
                first_meeting=first,
                last_meeting=last,
            )
        )
    return result


@dataclass(frozen=True)
class SelectionTotals:
    """What the database holds for some Congresses: their meetings, what hangs off them, and
    their printed hearings. Witnesses and committees count once across the Congresses."""

    meetings: int
    committees_with_meetings: int
    witnesses: int
    witness_appearances: int
    documents: int
    videos: int
    bills: int
    printed_hearings: int


def selection_totals(connection: Connection, congresses: Collection[int]) -> SelectionTotals:
    """The totals of `congresses` (the meetings held in them; the bills of those Congresses)."""
    hearings = schema.hearings
    chosen = sorted(set(congresses))
    in_scope = hearings.c.congress.in_(chosen)

    def linked(column: Any, table: Any, *, distinct: bool = False) -> int:
        counted = func.count(func.distinct(column)) if distinct else func.count()
        query = (
            select(counted)
            .select_from(table)
            .join(hearings, hearings.c.event_id == table.c.event_id)
            .where(in_scope)
        )
        return int(connection.execute(query).scalar_one())

    def own(table: Any) -> int:
        query = select(func.count()).select_from(table).where(table.c.congress.in_(chosen))
        return int(connection.execute(query).scalar_one())

    appearances, links = schema.witness_appearances, schema.hearing_committees
    return SelectionTotals(
        meetings=own(hearings),
        committees_with_meetings=linked(links.c.system_code, links, distinct=True),
        witnesses=linked(appearances.c.witness_id, appearances, distinct=True),
        witness_appearances=linked(None, appearances),
        documents=linked(None, schema.witness_documents) + linked(None, schema.meeting_documents),
        videos=linked(None, schema.videos),
        bills=own(schema.bills),
        printed_hearings=own(schema.printed_hearings),
    )


def _grouped(connection: Connection, query: Any) -> dict[int, int]:
    return {int(key): int(n) for key, n in connection.execute(query)}
