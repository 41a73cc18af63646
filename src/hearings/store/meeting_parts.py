"""The parts of a meeting's read model (`meeting_record`): its committees, witnesses and their
documents, the meeting's documents, videos, bills and printed hearings. One dataclass per table,
and one query per part for a chunk of meetings, each returning the part by event id."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, or_, select

from hearings.store import schema


@dataclass(frozen=True, slots=True)
class CommitteeLink:
    """A committee holding the meeting (`hearing_committees` joined to `committees`); the names
    of its parent and grandparent let a list name a subcommittee with its full committee."""

    system_code: str
    is_primary: bool
    # False when the link names a committee the database does not hold.
    known: bool
    name: str | None
    chamber: str | None
    parent_code: str | None
    parent_name: str | None
    grandparent_name: str | None


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


@dataclass(frozen=True, slots=True)
class PrintedHearingLink:
    """A printed hearing of the meeting: named by a transcript link or by its own
    `associatedMeeting`; `imported` is False for a jacket not in `printed_hearings` yet."""

    jacket_number: int
    title: str | None
    citation: str | None
    dates: tuple[str, ...]
    formats: tuple[dict[str, Any], ...]
    imported: bool


def committees_by_event(connection: Connection, ids: list[str]) -> dict[str, list[CommitteeLink]]:
    links, committees = schema.hearing_committees, schema.committees
    parents, grandparents = committees.alias("parents"), committees.alias("grandparents")
    rows = connection.execute(
        select(
            links.c.event_id,
            links.c.system_code,
            links.c.is_primary,
            committees.c.system_code.is_not(None),
            committees.c.name,
            committees.c.chamber,
            committees.c.parent_code,
            parents.c.name,
            grandparents.c.name,
        )
        .outerjoin(committees, committees.c.system_code == links.c.system_code)
        .outerjoin(parents, parents.c.system_code == committees.c.parent_code)
        .outerjoin(grandparents, grandparents.c.system_code == parents.c.parent_code)
        .where(links.c.event_id.in_(ids))
        .order_by(links.c.event_id, links.c.ordinal)
    ).all()
    by_event: dict[str, list[CommitteeLink]] = defaultdict(list)
    for event_id, code, primary, known, name, chamber, parent, parent_name, grand_name in rows:
        by_event[event_id].append(
            CommitteeLink(
                code, bool(primary), bool(known), name, chamber, parent, parent_name, grand_name
            )
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
    appearances, witnesses = schema.witness_appearances, schema.witnesses
    rows = connection.execute(
        select(
            appearances.c.event_id,
            appearances.c.ordinal,
            appearances.c.witness_id,
            appearances.c.name_as_given,
            appearances.c.organization,
            appearances.c.position,
            witnesses.c.organization_key,
        )
        .outerjoin(witnesses, witnesses.c.witness_id == appearances.c.witness_id)
        .where(appearances.c.event_id.in_(ids))
        .order_by(appearances.c.event_id, appearances.c.ordinal)
    ).all()
    owned: dict[tuple[str, int], list[Document]] = {}
    unmatched: dict[str, list[Document]] = defaultdict(list)
    meeting_documents: dict[str, list[Document]] = defaultdict(list)
    if documents:
        owned = {(r[0], int(r[1])): [] for r in rows}
        for event_id, ordinal, *described in _witness_documents(connection, ids):
            owner = owned.get((event_id, ordinal)) if ordinal is not None else None
            (unmatched[event_id] if owner is None else owner).append(Document(*described))
        for event_id, *described in _meeting_documents(connection, ids):
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


def _witness_documents(connection: Connection, ids: list[str]) -> Sequence[Any]:
    statements = schema.witness_documents
    return connection.execute(
        select(
            statements.c.event_id,
            statements.c.appearance_ordinal,
            statements.c.name,
            statements.c.document_type,
            statements.c.format,
            statements.c.url,
        )
        .where(statements.c.event_id.in_(ids))
        .order_by(statements.c.event_id, statements.c.ordinal)
    ).all()


def _meeting_documents(connection: Connection, ids: list[str]) -> Sequence[Any]:
    documents = schema.meeting_documents
    return connection.execute(
        select(
            documents.c.event_id,
            documents.c.name,
            documents.c.document_type,
            documents.c.format,
            documents.c.url,
            documents.c.description,
        )
        .where(documents.c.event_id.in_(ids))
        .order_by(documents.c.event_id, documents.c.ordinal)
    ).all()


def videos_by_event(connection: Connection, ids: list[str]) -> dict[str, list[Video]]:
    videos = schema.videos
    by_event: dict[str, list[Video]] = defaultdict(list)
    for event_id, name, url, kind in connection.execute(
        select(videos.c.event_id, videos.c.name, videos.c.url, videos.c.kind)
        .where(videos.c.event_id.in_(ids))
        .order_by(videos.c.event_id, videos.c.ordinal)
    ).all():
        by_event[event_id].append(Video(name, url, kind))
    return by_event


def bills_by_event(connection: Connection, ids: list[str]) -> dict[str, list[Bill]]:
    links, bills = schema.hearing_bills, schema.bills
    by_event: dict[str, list[Bill]] = defaultdict(list)
    for r in connection.execute(
        select(links.c.event_id, bills.c.congress, bills.c.bill_type, bills.c.number, bills.c.url)
        .join(bills, bills.c.bill_id == links.c.bill_id)
        .where(links.c.event_id.in_(ids))
        .order_by(links.c.event_id, links.c.ordinal)
    ).all():
        by_event[r[0]].append(Bill(int(r[1]), r[2], r[3], r[4]))
    return by_event


def printed_hearings_by_event(
    connection: Connection, ids: list[str]
) -> dict[str, list[PrintedHearingLink]]:
    """The transcript links in their order, then printed hearings that name the meeting
    themselves, by jacket number."""
    transcripts, printed = schema.hearing_transcripts, schema.printed_hearings
    jackets: dict[str, list[int]] = defaultdict(list)
    for r in connection.execute(
        select(transcripts.c.event_id, transcripts.c.jacket_number)
        .where(transcripts.c.event_id.in_(ids))
        .order_by(transcripts.c.event_id, transcripts.c.ordinal)
    ):
        jackets[r.event_id].append(int(r.jacket_number))
    named = sorted({j for listed in jackets.values() for j in listed})
    clause: ColumnElement[bool] = printed.c.associated_event_id.in_(ids)
    if named:
        clause = or_(clause, printed.c.jacket_number.in_(named))
    stored: dict[int, Any] = {
        int(r.jacket_number): r
        for r in connection.execute(
            select(
                printed.c.jacket_number,
                printed.c.associated_event_id,
                printed.c.title,
                printed.c.citation,
                printed.c.dates,
                printed.c.formats,
            ).where(clause)
        )
    }
    associated: dict[str, list[int]] = defaultdict(list)
    for jacket, r in stored.items():
        if r.associated_event_id is not None:
            associated[r.associated_event_id].append(jacket)
    by_event: dict[str, list[PrintedHearingLink]] = {}
    for event_id in set(jackets) | set(associated):
        listed = jackets.get(event_id, [])
        extra = sorted(j for j in associated.get(event_id, []) if j not in listed)
        by_event[event_id] = [_printed(j, stored.get(j)) for j in listed + extra]
    return by_event


def _printed(jacket: int, row: Any) -> PrintedHearingLink:
    if row is None:
        return PrintedHearingLink(jacket, None, None, (), (), imported=False)
    return PrintedHearingLink(
        jacket_number=jacket,
        title=row.title,
        citation=row.citation,
        dates=tuple(row.dates or ()),
        formats=tuple(f for f in (row.formats or ()) if isinstance(f, dict)),
        imported=True,
    )
