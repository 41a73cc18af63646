"""Turning parsed API records into table rows. Pure functions: no database, no clock of their own.

The rows built here are also what post-apply validation compares the database against.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from typing import Any

from hearings.citations import find_citations
from hearings.congress_api.models import Meeting
from hearings.store import schema
from hearings.store.meeting_start import stored_start, utc_naive_moment
from hearings.store.video_kinds import video_kind
from hearings.store.witness_rows import witness_row
from hearings.witness_documents import DocumentMatcher
from hearings.witness_names import normalize_organization, parse_witness_name

Row = dict[str, Any]

# Keys that change without the record's content changing: excluding them keeps a touched but
# unchanged record "unchanged", so reruns and overlaps are no-ops. A list entry's own `url`
# names the server that answered, not the record.
_VOLATILE_KEYS = frozenset({"updateDate", "request", "url"})


# Built once: `json.dumps` with options builds an encoder on every call.
_CANONICAL_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def content_hash(payload: Mapping[str, Any]) -> str:
    """A stable SHA-256 of a record's content, ignoring key order and volatile keys."""
    canonical = {
        k: v for k, v in payload.items() if k not in _VOLATILE_KEYS and not k.startswith("_")
    }
    text = _CANONICAL_JSON.encode(canonical)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def utc_naive(moment: datetime | None) -> datetime | None:
    """Timestamps are stored as naive UTC on every backend."""
    return None if moment is None else utc_naive_moment(moment)


_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def _slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _NOT_SLUG.sub("-", folded.lower()).strip("-")
    return slug[:60] or "unnamed"


def witness_key(normalized_name: str, organization_key: str) -> str:
    """A witness id that is the same in every database built from the same data."""
    digest = hashlib.sha1(f"{normalized_name}\x1f{organization_key}".encode()).hexdigest()[:10]
    return f"{_slug(normalized_name)}-{digest}"


def bill_key(congress: int, bill_type: str, number: str) -> str:
    return f"{congress}-{bill_type.lower()}-{number.lstrip('0') or '0'}"


def bill_spelling(bill_type: str, number: str) -> tuple[str, str]:
    """A bill's type and number as the API spells them (`HR`, `1526`), however a payload wrote
    them (`h.r.`, ` HR `, `01526`): one bill is one row, spelled the same whichever meeting
    wrote it first (an update and a rebuild write them in different orders), and `hearings
    verify` counts bills so. Either may come out empty; the gate refuses that."""
    return "".join(bill_type.split()).replace(".", "").upper(), "".join(number.split()).lstrip("0")


@dataclass
class MeetingRows:
    """Everything one meeting writes, table by table."""

    hearing: Row
    committees: list[Row] = field(default_factory=list)
    committee_refs: list[Row] = field(default_factory=list)
    witnesses: list[Row] = field(default_factory=list)
    appearances: list[Row] = field(default_factory=list)
    witness_documents: list[Row] = field(default_factory=list)
    meeting_documents: list[Row] = field(default_factory=list)
    videos: list[Row] = field(default_factory=list)
    bills: list[Row] = field(default_factory=list)
    hearing_bills: list[Row] = field(default_factory=list)
    transcripts: list[Row] = field(default_factory=list)

    @property
    def event_id(self) -> str:
        return str(self.hearing["event_id"])

    @cached_property
    def title_bills(self) -> list[str]:
        """The index tokens of the bills the title names ("H.R. 2334, the … Act"), which the
        search index adds to the bills of relatedItems. Kept once worked out, so a rebuild's
        parsing workers ship it with the rows."""
        return [c.token for c in find_citations(self.hearing["title"] or "")[0]]


# The `hearings` columns, in the table's order.
_HEARING_COLUMNS = tuple(schema.hearings.c.keys())


def hearing_row(meeting: Meeting, payload_hash: str, now: datetime) -> Row:
    """The meeting's `hearings` row. A column named as a field of the parsed meeting holds that
    field (date-times as naive UTC), so such a column needs no line here; the others are
    worked out from the meeting and the run."""
    location = meeting.location
    start_at, start_date_only = stored_start(meeting.date)
    worked_out: Row = {
        "start_at": start_at,
        "start_date_only": start_date_only,
        "room": location.room if location else None,
        "building": location.building if location else None,
        "address": location.address if location else None,
        "content_hash": payload_hash,
        "first_seen_at": now,
        "last_changed_at": now,
    }
    return {
        name: worked_out[name] if name in worked_out else _as_stored(getattr(meeting, name))
        for name in _HEARING_COLUMNS
    }


def _as_stored(value: Any) -> Any:
    return utc_naive(value) if isinstance(value, datetime) else value


def meeting_rows(meeting: Meeting, payload_hash: str, now: datetime) -> MeetingRows:
    """All rows for one meeting. `first_seen_at`/`last_changed_at` are set to `now`; the writer
    keeps the stored first-seen time for meetings it already has."""
    event_id = meeting.event_id
    rows = MeetingRows(hearing=hearing_row(meeting, payload_hash, now))

    seen_codes: set[str] = set()
    for ref in meeting.committees:
        if ref.system_code in seen_codes:
            continue
        seen_codes.add(ref.system_code)
        rows.committees.append(
            {
                "event_id": event_id,
                "system_code": ref.system_code,
                "is_primary": not rows.committees,
                "ordinal": len(rows.committees),
            }
        )
        rows.committee_refs.append(
            # The url says which chamber's path serves the committee (see committee_path_chamber).
            {
                "system_code": ref.system_code,
                "name": ref.name,
                "chamber": meeting.chamber,
                "url": ref.url,
            }
        )

    names = []
    witnesses_by_id: dict[str, Row] = {}
    for ordinal, witness in enumerate(meeting.witnesses):
        raw_name = witness.name or ""
        person = parse_witness_name(raw_name)
        names.append(person)
        organization_key = normalize_organization(witness.organization)
        witness_id = witness_key(person.normalized, organization_key)
        if witness_id not in witnesses_by_id:
            witnesses_by_id[witness_id] = witness_row(
                person, raw_name, witness.organization, witness_id, now
            )
        rows.appearances.append(
            {
                "event_id": event_id,
                "ordinal": ordinal,
                "witness_id": witness_id,
                "name_as_given": raw_name,
                "position": witness.position,
                "organization": witness.organization,
            }
        )
    rows.witnesses = list(witnesses_by_id.values())

    matcher = DocumentMatcher(names)
    for ordinal, document in enumerate(_unique_by_url(meeting.witness_documents)):
        appearance = matcher.match(document.url) if document.url and names else None
        rows.witness_documents.append(
            {
                "event_id": event_id,
                "appearance_ordinal": appearance,
                "ordinal": ordinal,
                "document_type": document.document_type,
                "format": document.format,
                "url": document.url,
                "name": document.name or document.description,
            }
        )

    for ordinal, document in enumerate(_unique_by_url(meeting.meeting_documents)):
        rows.meeting_documents.append(
            {
                "event_id": event_id,
                "ordinal": ordinal,
                "document_type": document.document_type,
                "format": document.format,
                "url": document.url,
                "name": document.name,
                "description": document.description,
            }
        )

    for ordinal, video in enumerate(_unique_by_url(v for v in meeting.videos if v.url)):
        assert video.url is not None
        rows.videos.append(
            {
                "event_id": event_id,
                "ordinal": ordinal,
                "url": video.url,
                "name": video.name,
                "kind": video_kind(video.url),
            }
        )

    seen_bills: set[str] = set()
    for bill in meeting.bills:
        bill_type, number = bill_spelling(bill.bill_type, bill.number)
        key = bill_key(bill.congress, bill_type, number)
        if key in seen_bills:
            continue
        seen_bills.add(key)
        rows.bills.append(
            {
                "bill_id": key,
                "congress": bill.congress,
                "bill_type": bill_type,
                "number": number,
                "url": bill.url,
            }
        )
        rows.hearing_bills.append(
            {"event_id": event_id, "bill_id": key, "ordinal": len(rows.hearing_bills)}
        )

    seen_printed: set[tuple[int, int]] = set()
    for transcript in meeting.hearing_transcripts:
        printed = (transcript_congress(transcript.url, meeting.congress), transcript.jacket_number)
        if printed in seen_printed:
            continue
        seen_printed.add(printed)
        rows.transcripts.append(
            {
                "event_id": event_id,
                "jacket_number": transcript.jacket_number,
                "ordinal": len(rows.transcripts),
                "congress": printed[0],
            }
        )
    return rows


_PRINTED_HEARING_URL = re.compile(r"/hearing/(\d{1,4})/[A-Za-z]+/\d+")


def transcript_congress(url: str | None, meeting_congress: int) -> int:
    """The Congress of a meeting's printed hearing: the one its API url names (a hearing printed
    in the next Congress), else the meeting's own."""
    found = _PRINTED_HEARING_URL.search(url) if url else None
    return int(found.group(1)) if found else meeting_congress


def _unique_by_url(items: Iterable[Any]) -> list[Any]:
    """Documents and videos are unique by URL within a meeting; the first occurrence wins.
    Items without a URL are all kept (the API has sent documents with only a description).
    URLs that differ only in spacing are one, as `hearings verify` counts them."""
    seen: set[str] = set()
    unique = []
    for item in items:
        url = getattr(item, "url", None)
        if url:
            key = " ".join(url.split())
            if key in seen:
                continue
            seen.add(key)
        unique.append(item)
    return unique
