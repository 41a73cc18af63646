"""One meeting with everything attached to it, loaded with one query per child table."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, or_, select

from hearings.store import schema
from hearings.web.committee_names import committee_labels
from hearings.web.congress_links import bill_label, bill_url, meeting_url, youtube_id
from hearings.web.timefmt import iso_z


@dataclass
class Document:
    name: str | None
    document_type: str | None
    format: str | None
    url: str | None
    description: str | None = None


@dataclass
class Appearance:
    ordinal: int
    witness_id: str
    name: str
    organization: str | None
    position: str | None
    documents: list[Document] = field(default_factory=list)
    # The witness entity's organisation, which has a page at /organizations/{slug}.
    organization_key: str = ""


@dataclass
class Video:
    name: str | None
    url: str
    kind: str
    youtube_id: str | None


@dataclass
class PrintedHearing:
    jacket_number: int
    title: str | None
    citation: str | None
    dates: list[str]
    formats: list[dict[str, Any]]
    imported: bool


@dataclass
class Bill:
    congress: int
    bill_type: str
    number: str
    url: str | None

    @property
    def label(self) -> str:
        return bill_label(self.bill_type, self.number)

    @property
    def congress_gov_url(self) -> str:
        return bill_url(self.congress, self.bill_type, self.number)


@dataclass
class HearingDetail:
    event_id: str
    congress: int
    chamber: str
    meeting_type: str | None
    status: str | None
    title: str | None
    start_at: datetime | None
    room: str | None
    building: str | None
    address: str | None
    is_stub: bool
    update_date: datetime | None
    first_seen_at: datetime
    last_changed_at: datetime
    committees: list[dict[str, Any]] = field(default_factory=list)
    witnesses: list[Appearance] = field(default_factory=list)
    unmatched_witness_documents: list[Document] = field(default_factory=list)
    meeting_documents: list[Document] = field(default_factory=list)
    videos: list[Video] = field(default_factory=list)
    bills: list[Bill] = field(default_factory=list)
    printed_hearings: list[PrintedHearing] = field(default_factory=list)

    @property
    def congress_gov_url(self) -> str:
        return meeting_url(self.congress, self.chamber, self.event_id)

    @property
    def is_canceled(self) -> bool:
        return (self.status or "").lower() in ("canceled", "cancelled")

    @property
    def is_postponed(self) -> bool:
        return (self.status or "").lower() == "postponed"

    def as_json(self) -> dict[str, Any]:
        """The JSON twin of the hearing page."""
        return {
            "event_id": self.event_id,
            "congress": self.congress,
            "chamber": self.chamber,
            "type": self.meeting_type,
            "status": self.status,
            "title": self.title,
            "start": iso_z(self.start_at),
            "location": {"room": self.room, "building": self.building, "address": self.address},
            "is_stub": self.is_stub,
            "committees": self.committees,
            "witnesses": [
                {
                    "witness_id": w.witness_id,
                    "name": w.name,
                    "organization": w.organization,
                    "position": w.position,
                    "documents": [_document_json(d) for d in w.documents],
                }
                for w in self.witnesses
            ],
            "witness_documents_unmatched": [
                _document_json(d) for d in self.unmatched_witness_documents
            ],
            "meeting_documents": [_document_json(d) for d in self.meeting_documents],
            "videos": [{"name": v.name, "url": v.url, "kind": v.kind} for v in self.videos],
            "bills": [
                {"congress": b.congress, "type": b.bill_type, "number": b.number, "url": b.url}
                for b in self.bills
            ],
            "printed_hearings": [
                {
                    "jacket_number": p.jacket_number,
                    "title": p.title,
                    "citation": p.citation,
                    "dates": p.dates,
                    "formats": p.formats,
                }
                for p in self.printed_hearings
            ],
            "congress_gov_url": self.congress_gov_url,
            "update_date": iso_z(self.update_date),
            "first_seen_at": iso_z(self.first_seen_at),
            "last_changed_at": iso_z(self.last_changed_at),
        }


def _document_json(document: Document) -> dict[str, Any]:
    return {
        "name": document.name,
        "type": document.document_type,
        "format": document.format,
        "url": document.url,
        "description": document.description,
    }


def load_hearing(connection: Connection, event_id: str) -> HearingDetail | None:
    hearings = schema.hearings
    row = connection.execute(select(hearings).where(hearings.c.event_id == event_id)).first()
    if row is None:
        return None
    detail = HearingDetail(
        event_id=row.event_id,
        congress=int(row.congress),
        chamber=row.chamber,
        meeting_type=row.meeting_type,
        status=row.status,
        title=row.title,
        start_at=row.start_at,
        room=row.room,
        building=row.building,
        address=row.address,
        is_stub=bool(row.is_stub),
        update_date=row.update_date,
        first_seen_at=row.first_seen_at,
        last_changed_at=row.last_changed_at,
    )
    links, committees = schema.hearing_committees, schema.committees
    detail.committees = [
        {
            "system_code": r.system_code,
            "name": r.name,
            "chamber": r.chamber,
            "parent": r.parent_code,
            "is_primary": bool(r.is_primary),
        }
        for r in connection.execute(
            select(
                links.c.system_code,
                links.c.is_primary,
                committees.c.name,
                committees.c.chamber,
                committees.c.parent_code,
            )
            .join(committees, committees.c.system_code == links.c.system_code)
            .where(links.c.event_id == event_id)
            .order_by(links.c.ordinal)
        )
    ]
    codes = [c["system_code"] for c in detail.committees]
    labels = committee_labels(
        connection, codes + [c["parent"] for c in detail.committees if c["parent"]]
    )
    for committee in detail.committees:
        committee["label"] = labels.get(committee["system_code"], committee["system_code"])
        if committee["parent"]:
            committee["parent_name"] = labels.get(committee["parent"], committee["parent"])
    appearances, witnesses = schema.witness_appearances, schema.witnesses
    detail.witnesses = [
        Appearance(
            r.ordinal,
            r.witness_id,
            r.name_as_given,
            r.organization,
            r.position,
            organization_key=r.organization_key or "",
        )
        for r in connection.execute(
            select(appearances, witnesses.c.organization_key)
            .join(witnesses, witnesses.c.witness_id == appearances.c.witness_id)
            .where(appearances.c.event_id == event_id)
            .order_by(appearances.c.ordinal)
        )
    ]
    by_ordinal = {a.ordinal: a for a in detail.witnesses}
    statements = schema.witness_documents
    for r in connection.execute(
        select(statements).where(statements.c.event_id == event_id).order_by(statements.c.ordinal)
    ):
        document = Document(r.name, r.document_type, r.format, r.url)
        owner = by_ordinal.get(r.appearance_ordinal) if r.appearance_ordinal is not None else None
        (owner.documents if owner else detail.unmatched_witness_documents).append(document)
    documents = schema.meeting_documents
    detail.meeting_documents = [
        Document(r.name, r.document_type, r.format, r.url, r.description)
        for r in connection.execute(
            select(documents).where(documents.c.event_id == event_id).order_by(documents.c.ordinal)
        )
    ]
    videos = schema.videos
    detail.videos = [
        Video(r.name, r.url, r.kind, youtube_id(r.url) if r.kind == "youtube" else None)
        for r in connection.execute(
            select(videos).where(videos.c.event_id == event_id).order_by(videos.c.ordinal)
        )
    ]
    hearing_bills, bills = schema.hearing_bills, schema.bills
    detail.bills = [
        Bill(int(r.congress), r.bill_type, r.number, r.url)
        for r in connection.execute(
            select(bills.c.congress, bills.c.bill_type, bills.c.number, bills.c.url)
            .join(hearing_bills, hearing_bills.c.bill_id == bills.c.bill_id)
            .where(hearing_bills.c.event_id == event_id)
            .order_by(hearing_bills.c.ordinal)
        )
    ]
    detail.printed_hearings = _printed_hearings(connection, event_id)
    return detail


def _printed_hearings(connection: Connection, event_id: str) -> list[PrintedHearing]:
    transcripts, printed = schema.hearing_transcripts, schema.printed_hearings
    jackets = list(
        connection.execute(
            select(transcripts.c.jacket_number)
            .where(transcripts.c.event_id == event_id)
            .order_by(transcripts.c.ordinal)
        ).scalars()
    )
    stored = {
        int(r.jacket_number): r
        for r in connection.execute(
            select(printed).where(
                or_(
                    printed.c.jacket_number.in_(jackets),
                    printed.c.associated_event_id == event_id,
                )
            )
        )
    }
    ordered = [int(j) for j in jackets] + sorted(j for j in stored if j not in jackets)
    result = []
    for jacket in ordered:
        r = stored.get(jacket)
        result.append(
            PrintedHearing(
                jacket_number=jacket,
                title=r.title if r else None,
                citation=r.citation if r else None,
                dates=list(r.dates or []) if r else [],
                formats=[f for f in (r.formats or []) if isinstance(f, dict)] if r else [],
                imported=r is not None,
            )
        )
    return result
