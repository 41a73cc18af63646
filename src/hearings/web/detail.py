"""One meeting with everything attached to it, as its page and its JSON twin show it: the read
model (`store.meeting_record`) with the names and links a reader needs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, select

from hearings.store import schema
from hearings.store.meeting_record import (
    Bill,
    CommitteeLink,
    Document,
    Meeting,
    Video,
    load_meeting,
    scalar_values,
)
from hearings.sync.quarantine import SUSPICIOUS_PREFIX
from hearings.web.committee_names import committee_label, committee_labels
from hearings.web.congress_links import bill_label, bill_url, meeting_url, youtube_id
from hearings.web.printed_hearing_records import printed_hearing_path
from hearings.web.timefmt import iso_z

__all__ = ["BillLink", "HearingDetail", "VideoLink", "bill_label", "load_hearing", "meeting_url"]


@dataclass(frozen=True)
class VideoLink:
    """A video, with its YouTube id when it is one (the page offers to play those)."""

    video: Video
    youtube_id: str | None

    @property
    def name(self) -> str | None:
        return self.video.name

    @property
    def url(self) -> str:
        return self.video.url

    @property
    def kind(self) -> str:
        return self.video.kind


@dataclass(frozen=True)
class BillLink:
    bill: Bill

    @property
    def congress(self) -> int:
        return self.bill.congress

    @property
    def label(self) -> str:
        return bill_label(self.bill.bill_type, self.bill.number)

    @property
    def congress_gov_url(self) -> str:
        return bill_url(self.bill.congress, self.bill.bill_type, self.bill.number)


@dataclass
class HearingDetail:
    """The hearing page's meeting. The record's fields (`title`, `witnesses`, `printed_hearings`…)
    read through; committees, videos and bills gain their labels and links."""

    meeting: Meeting
    committees: list[dict[str, Any]] = field(default_factory=list)
    videos: list[VideoLink] = field(default_factory=list)
    bills: list[BillLink] = field(default_factory=list)

    def __getattr__(self, name: str) -> Any:
        # Only called for names the view lacks. The guard keeps copy, pickle and a half-built
        # view from recursing.
        if name.startswith("__") or name == "meeting":
            raise AttributeError(name)
        return getattr(self.meeting, name)

    @property
    def congress_gov_url(self) -> str:
        m = self.meeting
        return meeting_url(m.congress, m.chamber, m.event_id)

    def as_json(self) -> dict[str, Any]:
        """The JSON twin of the hearing page."""
        m = self.meeting
        scalars = {name: _shown(value) for name, value in scalar_values(m).items()}
        leading = {name: scalars.pop(name) for name in _LEADING}
        is_stub = scalars.pop("is_stub")
        return {
            **leading,
            "location": {"room": m.room, "building": m.building, "address": m.address},
            "is_stub": is_stub,
            "committees": self.committees,
            "witnesses": [
                {
                    "witness_id": w.witness_id,
                    "name": w.name,
                    "organization": w.organization,
                    "position": w.position,
                    "documents": [_document_json(d) for d in w.documents],
                }
                for w in m.witnesses
            ],
            "witness_documents_unmatched": [
                _document_json(d) for d in m.unmatched_witness_documents
            ],
            "meeting_documents": [_document_json(d) for d in m.meeting_documents],
            "videos": [{"name": v.name, "url": v.url, "kind": v.kind} for v in m.videos],
            "bills": [
                {"congress": b.congress, "type": b.bill_type, "number": b.number, "url": b.url}
                for b in m.bills
            ],
            "printed_hearings": [
                {
                    "jacket_number": p.jacket_number,
                    "congress": p.congress,
                    "title": p.title,
                    "citation": p.citation,
                    "dates": list(p.dates),
                    "formats": list(p.formats),
                    # Its own page, which shows it even when this meeting is gone.
                    "url": printed_hearing_path(p.congress, p.jacket_number)
                    if p.imported
                    else None,
                }
                for p in m.printed_hearings
            ],
            "congress_gov_url": self.congress_gov_url,
            # The rest of the read model's scalar fields (`update_date`, `first_seen_at`…), in
            # its order: a field added to the model shows here with no line of its own.
            **scalars,
        }


# The meeting fields the JSON twin shows first, by their shown names, in order.
_LEADING = ("event_id", "congress", "chamber", "type", "status", "title", "start")


def _shown(value: Any) -> Any:
    # A `date` is the start of a meeting whose date came without a time: `2025-06-24`.
    return iso_z(value) if isinstance(value, date) else value


def _document_json(document: Document) -> dict[str, Any]:
    return {
        "name": document.name,
        "type": document.document_type,
        "format": document.format,
        "url": document.url,
        "description": document.description,
    }


def _committee_json(committee: CommitteeLink, labels: dict[str, str]) -> dict[str, Any]:
    """A committee of the meeting, named as the page names it (a subcommittee with its parent);
    `labels` name the parents."""
    shown: dict[str, Any] = {
        "system_code": committee.system_code,
        "name": committee.name,
        "chamber": committee.chamber,
        "parent": committee.parent_code,
        "is_primary": committee.is_primary,
        "label": committee_label(committee.name, committee.system_code, committee.parent_name),
    }
    if committee.parent_code:
        shown["parent_name"] = labels.get(committee.parent_code, committee.parent_code)
    return shown


def hearing_detail(meeting: Meeting, parent_labels: dict[str, str]) -> HearingDetail:
    return HearingDetail(
        meeting=meeting,
        committees=[_committee_json(c, parent_labels) for c in meeting.committees if c.known],
        videos=[
            VideoLink(v, youtube_id(v.url) if v.kind == "youtube" else None) for v in meeting.videos
        ],
        bills=[BillLink(b) for b in meeting.bills],
    )


def load_hearing(connection: Connection, event_id: str) -> HearingDetail | None:
    meeting = load_meeting(connection, event_id)
    if meeting is None:
        return None
    parents = [c.parent_code for c in meeting.committees if c.known and c.parent_code]
    return hearing_detail(meeting, committee_labels(connection, parents) if parents else {})


@dataclass(frozen=True)
class WaitingVersion:
    """A newer version of a meeting that the quarantine holds: the page shows the one before."""

    since: datetime
    reason: str

    @property
    def held_for_review(self) -> bool:
        return self.reason.startswith(SUSPICIOUS_PREFIX)


def waiting_version(connection: Connection, event_id: str) -> WaitingVersion | None:
    errors = schema.import_errors
    row = connection.execute(
        select(errors.c.first_seen_at, errors.c.reason)
        .where(
            errors.c.entity == "meeting",
            errors.c.identifier == event_id,
            errors.c.resolved.is_(False),
        )
        .limit(1)
    ).first()
    return WaitingVersion(row.first_seen_at, row.reason) if row is not None else None
