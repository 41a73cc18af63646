"""The parts of a meeting's read model (`meeting_record`): its committees, witnesses and their
documents, the meeting's documents, videos, bills and printed hearings. One dataclass per table,
and one query per part for a chunk of meetings, each returning the part by event id."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BindParameter, Connection, bindparam, select, tuple_

from hearings.store import schema


@dataclass(frozen=True, slots=True)
class CommitteeLink:
    """A committee holding the meeting (`hearing_committees` joined to `committees`); its
    parent's name lets a list name a subcommittee with its full committee."""

    system_code: str
    is_primary: bool
    # False when the link names a committee the database does not hold.
    known: bool
    name: str | None
    chamber: str | None
    parent_code: str | None
    parent_name: str | None


@dataclass(frozen=True, slots=True)
class Document:
    """A witness's document (`witness_documents`) or the meeting's own (`meeting_documents`)."""

    name: str | None
    document_type: str | None
    format: str | None
    url: str | None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Appearance:
    """A witness as the meeting lists them (`witness_appearances`), with their documents."""

    ordinal: int
    witness_id: str
    name: str
    organization: str | None
    position: str | None
    # The witness entity's organisation key ("" when none).
    organization_key: str = ""
    documents: tuple[Document, ...] = ()


@dataclass(frozen=True, slots=True)
class Video:
    name: str | None
    url: str
    kind: str


@dataclass(frozen=True, slots=True)
class Bill:
    congress: int
    bill_type: str
    number: str
    url: str | None


# A printed hearing's key: (congress, jacket number).
Printed = tuple[int, int]


@dataclass(frozen=True, slots=True)
class PrintedHearingLink:
    """A printed hearing of the meeting: named by a transcript link or by its own
    `associatedMeeting`; `imported` is False for one not in `printed_hearings` yet."""

    jacket_number: int
    congress: int
    title: str | None
    citation: str | None
    dates: tuple[str, ...]
    formats: tuple[dict[str, Any], ...]
    imported: bool


# The statements are built once: building a select costs more than running it on one meeting.
_IDS: BindParameter[list[str]] = bindparam("ids", expanding=True)
_links, _committees = schema.hearing_committees, schema.committees
_parents = _committees.alias("parents")
_COMMITTEES = (
    select(
        _links.c.event_id,
        _links.c.system_code,
        _links.c.is_primary,
        _committees.c.system_code.is_not(None),
        _committees.c.name,
        _committees.c.chamber,
        _committees.c.parent_code,
        _parents.c.name,
    )
    .outerjoin(_committees, _committees.c.system_code == _links.c.system_code)
    .outerjoin(_parents, _parents.c.system_code == _committees.c.parent_code)
    .where(_links.c.event_id.in_(_IDS))
    .order_by(_links.c.event_id, _links.c.ordinal)
)
_appearances, _witnesses = schema.witness_appearances, schema.witnesses
_APPEARANCES = (
    select(
        _appearances.c.event_id,
        _appearances.c.ordinal,
        _appearances.c.witness_id,
        _appearances.c.name_as_given,
        _appearances.c.organization,
        _appearances.c.position,
        _witnesses.c.organization_key,
    )
    .outerjoin(_witnesses, _witnesses.c.witness_id == _appearances.c.witness_id)
    .where(_appearances.c.event_id.in_(_IDS))
    .order_by(_appearances.c.event_id, _appearances.c.ordinal)
)
_statements = schema.witness_documents
_WITNESS_DOCUMENTS = (
    select(
        _statements.c.event_id,
        _statements.c.appearance_ordinal,
        _statements.c.name,
        _statements.c.document_type,
        _statements.c.format,
        _statements.c.url,
    )
    .where(_statements.c.event_id.in_(_IDS))
    .order_by(_statements.c.event_id, _statements.c.ordinal)
)
_documents = schema.meeting_documents
_MEETING_DOCUMENTS = (
    select(
        _documents.c.event_id,
        _documents.c.name,
        _documents.c.document_type,
        _documents.c.format,
        _documents.c.url,
        _documents.c.description,
    )
    .where(_documents.c.event_id.in_(_IDS))
    .order_by(_documents.c.event_id, _documents.c.ordinal)
)
_videos = schema.videos
_VIDEOS = (
    select(_videos.c.event_id, _videos.c.name, _videos.c.url, _videos.c.kind)
    .where(_videos.c.event_id.in_(_IDS))
    .order_by(_videos.c.event_id, _videos.c.ordinal)
)
_bill_links, _bills = schema.hearing_bills, schema.bills
_BILLS = (
    select(
        _bill_links.c.event_id,
        _bills.c.congress,
        _bills.c.bill_type,
        _bills.c.number,
        _bills.c.url,
    )
    .join(_bills, _bills.c.bill_id == _bill_links.c.bill_id)
    .where(_bill_links.c.event_id.in_(_IDS))
    .order_by(_bill_links.c.event_id, _bill_links.c.ordinal)
)
_transcripts, _printed_table = schema.hearing_transcripts, schema.printed_hearings
_TRANSCRIPTS = (
    select(_transcripts.c.event_id, _transcripts.c.congress, _transcripts.c.jacket_number)
    .where(_transcripts.c.event_id.in_(_IDS))
    .order_by(_transcripts.c.event_id, _transcripts.c.ordinal)
)
_PRINTED = select(
    _printed_table.c.congress,
    _printed_table.c.jacket_number,
    _printed_table.c.associated_event_id,
    _printed_table.c.title,
    _printed_table.c.citation,
    _printed_table.c.dates,
    _printed_table.c.formats,
)
_PRINTED_NAMING = _PRINTED.where(_printed_table.c.associated_event_id.in_(_IDS))
_PRINTED_NAMED = _PRINTED.where(
    tuple_(_printed_table.c.congress, _printed_table.c.jacket_number).in_(
        bindparam("printed", expanding=True)
    )
)


def committees_by_event(connection: Connection, ids: list[str]) -> dict[str, list[CommitteeLink]]:
    by_event: dict[str, list[CommitteeLink]] = defaultdict(list)
    for row in connection.execute(_COMMITTEES, {"ids": ids}).all():
        event_id, code, primary, known, name, chamber, parent, parent_name = row
        by_event[event_id].append(
            CommitteeLink(code, bool(primary), bool(known), name, chamber, parent, parent_name)
        )
    return by_event


@dataclass(frozen=True, slots=True)
class Witnesses:
    """The witnesses of a chunk of meetings, by event id, with their documents when asked for;
    the witness documents no appearance matches, and the meetings' own documents."""

    appearances: dict[str, list[Appearance]]
    unmatched: dict[str, list[Document]]
    meeting_documents: dict[str, list[Document]]


def witnesses_by_event(connection: Connection, ids: list[str], *, documents: bool) -> Witnesses:
    """Appearances in their order; with `documents`, each with its witness documents (the rest
    stay on the meeting), and the meetings' own documents."""
    rows = connection.execute(_APPEARANCES, {"ids": ids}).all()
    owned: dict[tuple[str, int], list[Document]] = {}
    unmatched: dict[str, list[Document]] = defaultdict(list)
    meeting_documents: dict[str, list[Document]] = defaultdict(list)
    if documents:
        owned = {(r[0], int(r[1])): [] for r in rows}
        for event_id, ordinal, *described in connection.execute(
            _WITNESS_DOCUMENTS, {"ids": ids}
        ).all():
            owner = owned.get((event_id, ordinal)) if ordinal is not None else None
            (unmatched[event_id] if owner is None else owner).append(Document(*described))
        for event_id, *described in connection.execute(_MEETING_DOCUMENTS, {"ids": ids}).all():
            meeting_documents[event_id].append(Document(*described))
    by_event: dict[str, list[Appearance]] = defaultdict(list)
    for event_id, ordinal, witness_id, name, organization, position, key in rows:
        papers = owned.get((event_id, int(ordinal)))
        by_event[event_id].append(
            Appearance(
                int(ordinal),
                witness_id,
                name,
                organization,
                position,
                key or "",
                tuple(papers) if papers else (),
            )
        )
    return Witnesses(by_event, unmatched, meeting_documents)


def videos_by_event(connection: Connection, ids: list[str]) -> dict[str, list[Video]]:
    by_event: dict[str, list[Video]] = defaultdict(list)
    for event_id, name, url, kind in connection.execute(_VIDEOS, {"ids": ids}).all():
        by_event[event_id].append(Video(name, url, kind))
    return by_event


def bills_by_event(connection: Connection, ids: list[str]) -> dict[str, list[Bill]]:
    by_event: dict[str, list[Bill]] = defaultdict(list)
    for event_id, congress, bill_type, number, url in connection.execute(
        _BILLS, {"ids": ids}
    ).all():
        by_event[event_id].append(Bill(int(congress), bill_type, number, url))
    return by_event


def printed_hearings_by_event(
    connection: Connection, ids: list[str]
) -> dict[str, list[PrintedHearingLink]]:
    """The transcript links in their order, then printed hearings that name the meeting
    themselves, by Congress and jacket number (GPO reuses jacket numbers across Congresses)."""
    linked: dict[str, list[Printed]] = defaultdict(list)
    for event_id, congress, jacket in connection.execute(_TRANSCRIPTS, {"ids": ids}).all():
        linked[event_id].append((int(congress), int(jacket)))
    stored: dict[Printed, Any] = {
        (int(r.congress), int(r.jacket_number)): r
        for r in connection.execute(_PRINTED_NAMING, {"ids": ids})
    }
    named = sorted({p for listed in linked.values() for p in listed} - set(stored))
    for start in range(0, len(named), 500):
        stored.update(
            ((int(r.congress), int(r.jacket_number)), r)
            for r in connection.execute(_PRINTED_NAMED, {"printed": named[start : start + 500]})
        )
    associated: dict[str, list[Printed]] = defaultdict(list)
    for printed, r in stored.items():
        if r.associated_event_id is not None:
            associated[r.associated_event_id].append(printed)
    by_event: dict[str, list[PrintedHearingLink]] = {}
    for event_id in set(linked) | set(associated):
        listed = linked.get(event_id, [])
        extra = sorted(p for p in associated.get(event_id, []) if p not in listed)
        by_event[event_id] = [_printed(p, stored.get(p)) for p in listed + extra]
    return by_event


def _printed(printed: Printed, row: Any) -> PrintedHearingLink:
    congress, jacket = printed
    if row is None:
        return PrintedHearingLink(jacket, congress, None, None, (), (), imported=False)
    return PrintedHearingLink(
        jacket_number=jacket,
        congress=congress,
        title=row.title,
        citation=row.citation,
        # A value of another shape (`hearings verify` names it) reads as none, not as a 500.
        dates=tuple(row.dates) if isinstance(row.dates, list) else (),
        formats=tuple(f for f in _listed(row.formats) if isinstance(f, dict)),
        imported=True,
    )


def _listed(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
