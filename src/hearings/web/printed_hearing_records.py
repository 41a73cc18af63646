"""Printed hearings (GPO transcripts) on their own: the list, with its filters, and one printed
hearing with its committees and meetings. A printed hearing whose meeting this database lacks (a
meeting of an earlier Congress, or one the API never served) is on no meeting's page, so these
are the only places it shows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, func, select, tuple_

from hearings.congresses import ordinal
from hearings.store import schema
from hearings.store.meeting_start import Start, shown_start
from hearings.web.committee_names import committee_labels
from hearings.web.congress_links import meeting_url, meeting_url_of
from hearings.web.errors import NotFound
from hearings.web.printed_hearing_filters import (
    PrintedHearingFilters,
    filter_clauses,
    meeting_showing_it,
)
from hearings.web.printed_hearing_words import matching_keys, printed_words
from hearings.web.timefmt import iso_z

printed = schema.printed_hearings
hearings = schema.hearings
transcripts = schema.hearing_transcripts


def printed_hearing_path(congress: int, jacket_number: int) -> str:
    """A printed hearing's page: GPO reuses jacket numbers across Congresses, so both name it."""
    return f"/printed-hearings/{congress}/{jacket_number}"


@dataclass(frozen=True)
class PrintedHearingSummary:
    congress: int
    jacket_number: int
    chamber: str | None
    title: str | None
    citation: str | None
    dates: tuple[str, ...]
    # The meeting the printed hearing names (`associatedMeeting`), whether stored or not.
    associated_event_id: str | None
    # The stored meeting whose page shows it (its own, or one whose transcript links name it).
    shown_on: str | None

    @property
    def on_a_meeting_page(self) -> bool:
        return self.shown_on is not None

    @property
    def path(self) -> str:
        return printed_hearing_path(self.congress, self.jacket_number)

    def as_json(self) -> dict[str, Any]:
        return {
            "congress": self.congress,
            "jacket_number": self.jacket_number,
            "chamber": self.chamber,
            "title": self.title,
            "citation": self.citation,
            "dates": list(self.dates),
            "associated_event_id": self.associated_event_id,
            "has_meeting": self.on_a_meeting_page,
            "meeting_url": f"/hearings/{self.shown_on}" if self.shown_on else None,
            "url": self.path,
            "api_url": "/api" + self.path,
        }


@dataclass(frozen=True)
class PrintedHearingMeeting:
    """A meeting the printed hearing belongs to; `stored` is False when this database lacks it,
    and then only its id is known."""

    event_id: str
    stored: bool
    congress: int | None = None
    title: str | None = None
    start: Start | None = None
    # congress.gov's page of it: a stored meeting's as its own page links it; one this database
    # lacks, from the printed hearing's Congress and chamber (None when they cannot make one).
    congress_gov_url: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "in_database": self.stored,
            "congress": self.congress,
            "title": self.title,
            "start": iso_z(self.start),
            "url": f"/hearings/{self.event_id}" if self.stored else None,
            "congress_gov_url": self.congress_gov_url,
        }


@dataclass(frozen=True)
class PrintedHearingCommittee:
    system_code: str
    # None for a code the committees table lacks: shown, but not linked.
    label: str | None


@dataclass
class PrintedHearingDetail:
    summary: PrintedHearingSummary
    library_of_congress_id: str | None
    formats: list[dict[str, Any]]
    update_date: datetime | None
    first_seen_at: datetime
    last_changed_at: datetime
    committees: list[PrintedHearingCommittee] = field(default_factory=list)
    meetings: list[PrintedHearingMeeting] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            **self.summary.as_json(),
            "library_of_congress_id": self.library_of_congress_id,
            "formats": [{"type": f.get("type"), "url": f.get("url")} for f in self.formats],
            "committees": [
                {
                    "system_code": c.system_code,
                    "label": c.label,
                    "url": f"/committees/{c.system_code}" if c.label is not None else None,
                }
                for c in self.committees
            ],
            "meetings": [m.as_json() for m in self.meetings],
            "update_date": iso_z(self.update_date),
            "first_seen_at": iso_z(self.first_seen_at),
            "last_changed_at": iso_z(self.last_changed_at),
        }


_SUMMARY_COLUMNS = (
    printed.c.congress,
    printed.c.jacket_number,
    printed.c.chamber,
    printed.c.title,
    printed.c.citation,
    printed.c.dates,
    printed.c.associated_event_id,
    meeting_showing_it().label("shown_on"),
)


def _summary(row: Any) -> PrintedHearingSummary:
    dates = row.dates if isinstance(row.dates, list) else []
    return PrintedHearingSummary(
        congress=int(row.congress),
        jacket_number=int(row.jacket_number),
        chamber=row.chamber,
        title=row.title,
        citation=row.citation,
        dates=tuple(str(d) for d in dates),
        associated_event_id=row.associated_event_id,
        shown_on=row.shown_on,
    )


@dataclass(frozen=True)
class PrintedHearingPage:
    total: int
    rows: list[PrintedHearingSummary]


def list_printed_hearings(
    connection: Connection, filters: PrintedHearingFilters
) -> PrintedHearingPage:
    """The total and one page of the printed hearings matching `filters`, newest Congress
    first, then by jacket number, newest first (GPO numbers them as it prints)."""
    clauses = filter_clauses(connection, filters)
    order = (printed.c.congress.desc(), printed.c.jacket_number.desc())
    offset = (filters.page - 1) * filters.per_page
    if filters.q is not None:
        keys = matching_keys(connection, printed_words(connection, filters.q), clauses)
        shown = keys[offset : offset + filters.per_page]
        if not shown:
            return PrintedHearingPage(len(keys), [])
        key = tuple_(printed.c.congress, printed.c.jacket_number)
        rows = connection.execute(select(*_SUMMARY_COLUMNS).where(key.in_(shown)).order_by(*order))
        return PrintedHearingPage(len(keys), [_summary(r) for r in rows])
    total = int(
        connection.execute(select(func.count()).select_from(printed).where(*clauses)).scalar_one()
    )
    rows = connection.execute(
        select(*_SUMMARY_COLUMNS)
        .where(*clauses)
        .order_by(*order)
        .limit(filters.per_page)
        .offset(offset)
    )
    return PrintedHearingPage(total, [_summary(r) for r in rows])


def _committees(connection: Connection, codes: Sequence[str]) -> list[PrintedHearingCommittee]:
    known = committee_labels(connection, list(codes))
    return [PrintedHearingCommittee(code, known.get(code)) for code in dict.fromkeys(codes)]


def _meetings(
    connection: Connection, summary: PrintedHearingSummary
) -> list[PrintedHearingMeeting]:
    """The meeting it names first, then the meetings whose transcript links name it."""
    linked = connection.execute(
        select(transcripts.c.event_id)
        .where(
            transcripts.c.congress == summary.congress,
            transcripts.c.jacket_number == summary.jacket_number,
        )
        .order_by(transcripts.c.event_id)
    ).scalars()
    ids = [i for i in dict.fromkeys([summary.associated_event_id, *linked]) if i is not None]
    stored = {
        row.event_id: row
        for row in connection.execute(
            select(
                hearings.c.event_id,
                hearings.c.congress,
                hearings.c.title,
                hearings.c.start_at,
                hearings.c.start_date_only,
                hearings.c.chamber,
            ).where(hearings.c.event_id.in_(ids))
        )
    }
    meetings = []
    for event_id in ids:
        row = stored.get(event_id)
        if row is None:
            url = meeting_url_of(summary.congress, summary.chamber, event_id)
            meetings.append(PrintedHearingMeeting(event_id, False, congress_gov_url=url))
        else:
            start = shown_start(row.start_at, bool(row.start_date_only))
            # As the meeting's own page links it.
            url = meeting_url(int(row.congress), row.chamber or "", event_id)
            meetings.append(
                PrintedHearingMeeting(event_id, True, int(row.congress), row.title, start, url)
            )
    return meetings


def found_printed_hearing(
    engine: Engine, congress: int, jacket_number: int
) -> PrintedHearingDetail:
    """The printed hearing a page or its JSON twin shows, or their 404 in one sentence."""
    with engine.connect() as connection:
        printed = load_printed_hearing(connection, congress, jacket_number)
    if printed is None:
        raise NotFound(
            f"There is no printed hearing with jacket number {jacket_number} of the "
            f"{ordinal(congress)} Congress in this database."
        )
    return printed


def load_printed_hearing(
    connection: Connection, congress: int, jacket_number: int
) -> PrintedHearingDetail | None:
    row = connection.execute(
        select(
            *_SUMMARY_COLUMNS,
            printed.c.library_of_congress_id,
            printed.c.formats,
            printed.c.committee_codes,
            printed.c.update_date,
            printed.c.first_seen_at,
            printed.c.last_changed_at,
        ).where(printed.c.congress == congress, printed.c.jacket_number == jacket_number)
    ).first()
    if row is None:
        return None
    summary = _summary(row)
    formats = row.formats if isinstance(row.formats, list) else []
    codes = row.committee_codes if isinstance(row.committee_codes, list) else []
    return PrintedHearingDetail(
        summary=summary,
        library_of_congress_id=row.library_of_congress_id,
        formats=[f for f in formats if isinstance(f, dict)],
        update_date=row.update_date,
        first_seen_at=row.first_seen_at,
        last_changed_at=row.last_changed_at,
        committees=_committees(connection, [c for c in codes if isinstance(c, str)]),
        meetings=_meetings(connection, summary),
    )
