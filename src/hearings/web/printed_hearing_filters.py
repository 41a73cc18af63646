"""The parameters of the printed hearings list, read once for the page and the API, and the
WHERE clauses they make."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import Path, Query
from sqlalchemy import ColumnElement, Connection, case, exists, func, or_, select

from hearings.congresses import CongressSelection
from hearings.store import schema
from hearings.web.filters import (
    CHAMBERS,
    MAX_PAGE,
    ChamberParameter,
    CommitteeParameter,
    CongressParameter,
    congress_selection,
)
from hearings.web.listing import committee_family

printed = schema.printed_hearings
hearings = schema.hearings
transcripts = schema.hearing_transcripts
# The largest value an INTEGER column holds on PostgreSQL: a larger number in an address names a
# printed hearing that cannot exist (a 400), not an overflow (a 500).
LARGEST_NUMBER = 2**31 - 1


@dataclass(frozen=True)
class PrintedHearingFilters:
    """The parameters of the printed hearings list, as the page and the API read them."""

    q: str | None = None
    congress: CongressSelection | None = None
    chamber: str | None = None
    committee: str | None = None
    has_meeting: bool | None = None
    page: int = 1
    per_page: int = 25

    def params(self, page: int) -> list[tuple[str, str]]:
        """The query of these filters at `page`, leaving out what is unset (page 1 included)."""
        pairs = [
            ("q", self.q),
            ("congress", str(self.congress) if self.congress else None),
            ("chamber", self.chamber),
            ("committee", self.committee),
            ("has_meeting", None if self.has_meeting is None else str(self.has_meeting).lower()),
            ("page", str(page) if page != 1 else None),
        ]
        return [(name, value) for name, value in pairs if value is not None]


def meeting_showing_it() -> ColumnElement[str | None]:
    """The stored meeting whose page shows the printed hearing: the one it names, else the first
    whose transcript links name it; null when no meeting page shows it."""
    named = (
        select(hearings.c.event_id)
        .where(hearings.c.event_id == printed.c.associated_event_id)
        .scalar_subquery()
    )
    linked = (
        select(func.min(transcripts.c.event_id))
        # The link cascades with its meeting, but a SQLite file edited without foreign keys on
        # may keep a link whose meeting is gone.
        .join(hearings, hearings.c.event_id == transcripts.c.event_id)
        .where(
            transcripts.c.congress == printed.c.congress,
            transcripts.c.jacket_number == printed.c.jacket_number,
        )
        .scalar_subquery()
    )
    return func.coalesce(named, linked)


def _names_committee(dialect: str, codes: Sequence[str]) -> ColumnElement[bool]:
    """`committee_codes` (a JSON list) holds one of `codes`. A value of another shape, which
    `hearings verify` names, holds none rather than failing the query."""
    column = printed.c.committee_codes
    if dialect == "postgresql":
        listed = case((func.json_typeof(column) == "array", column), else_=None)
        elements = func.json_array_elements_text(listed).table_valued("value")
    else:
        # Nested, so that json_type never reads text that is not JSON (it would raise).
        listed = case(
            (func.json_valid(column) == 1, case((func.json_type(column) == "array", column))),
            else_=None,
        )
        elements = func.json_each(listed).table_valued("value")
    return exists(select(1).select_from(elements).where(elements.c.value.in_(list(codes))))


def filter_clauses(
    connection: Connection, filters: PrintedHearingFilters
) -> list[ColumnElement[bool]]:
    """WHERE clauses for everything in `filters` but the words (`printed_hearing_words`)."""
    clauses: list[ColumnElement[bool]] = []
    if filters.congress is not None and filters.congress.numbers is not None:
        clauses.append(printed.c.congress.in_(filters.congress.numbers))
    if filters.chamber == "nochamber":
        known = [CHAMBERS["house"], CHAMBERS["senate"]]
        clauses.append(or_(printed.c.chamber.is_(None), printed.c.chamber.not_in(known)))
    elif filters.chamber is not None:
        clauses.append(printed.c.chamber == CHAMBERS[filters.chamber])
    if filters.committee is not None:
        codes = committee_family(connection, filters.committee)
        clauses.append(_names_committee(connection.dialect.name, codes))
    if filters.has_meeting is not None:
        shown = meeting_showing_it()
        clauses.append(shown.is_not(None) if filters.has_meeting else shown.is_(None))
    return clauses


def printed_hearing_filters(
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Words of the title or citation, as /api/hearings reads them (whole "
            "words, the last also as the start of one; quoted phrases; bill citations; acronyms), "
            "or a jacket number.",
        ),
    ] = None,
    congress: CongressParameter = None,
    chamber: ChamberParameter = None,
    committee: CommitteeParameter = None,
    has_meeting: Annotated[
        bool | None,
        Query(
            description="Only printed hearings whose meeting is (true) or is not (false) in this "
            "database: those with none are on no meeting's page."
        ),
    ] = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page number, from 1.")] = 1,
) -> PrintedHearingFilters:
    words = " ".join(q.split()) if q else None
    return PrintedHearingFilters(
        q=words or None,
        congress=congress_selection(congress),
        chamber=chamber,
        committee=committee.lower() if committee else None,
        has_meeting=has_meeting,
        page=page,
    )


CongressNumber = Annotated[int, Path(ge=1, le=LARGEST_NUMBER, description="e.g. 119")]
JacketNumber = Annotated[
    int, Path(ge=0, le=LARGEST_NUMBER, description="GPO's jacket number, e.g. 60120")
]
