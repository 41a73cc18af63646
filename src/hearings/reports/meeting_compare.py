"""Two versions of a meeting compared field by field, as the report shows them: status, title,
date, chamber, Congress, location, committees and witnesses. A version is an image, shaped like
the before-images `batch_checkpoints` keep; images are made from the meeting's read model or an
archived payload."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from hearings.congress_api.errors import MalformedPayload
from hearings.congress_api.models import Meeting as ApiMeeting
from hearings.congress_api.models import parse_record
from hearings.reports.export import iso_utc
from hearings.store.meeting_record import Meeting
from hearings.store.meeting_start import shown_start, start_iso
from hearings.store.records import meeting_rows
from hearings.witness_names import parse_witness_name

# A before-image: {"hearing": {...}, "committees": [codes], "witnesses": [{name, organization,
# position}]}, as `batch_checkpoints` keeps them.
Image = dict[str, Any]


@dataclass
class FieldChange:
    """One field of a meeting, before the period's first change and after its last."""

    field: str
    before: Any
    after: Any


def current_image(meeting: Meeting) -> Image:
    """The meeting as it is now, shaped like a checkpoint's before-image."""
    return {
        "hearing": {
            "title": meeting.title,
            "status": meeting.status,
            "chamber": meeting.chamber,
            "congress": meeting.congress,
            "start_at": iso_utc(meeting.start_at),
            "start_date_only": meeting.start_date_only,
            "room": meeting.room,
            "building": meeting.building,
            "address": meeting.address,
            "content_hash": meeting.content_hash,
        },
        "committees": [c.system_code for c in meeting.committees],
        "witnesses": [
            {"name": w.name, "organization": w.organization, "position": w.position}
            for w in meeting.witnesses
        ],
    }


def payload_image(payload: dict[str, Any] | None) -> Image | None:
    """An archived payload as a before-image, through today's parser (None if it fails it)."""
    if payload is None:
        return None
    try:
        parsed = parse_record(ApiMeeting, payload, entity="meeting")
    except MalformedPayload:
        return None
    rows = meeting_rows(parsed, "", datetime.min)
    hearing = rows.hearing
    return {
        "hearing": {
            key: hearing[key] for key in ("title", "status", "chamber", "congress", *_LOCATION)
        }
        | {"start_at": iso_utc(hearing["start_at"]), "start_date_only": hearing["start_date_only"]},
        "committees": [row["system_code"] for row in rows.committees],
        "witnesses": [
            {
                "name": a["name_as_given"],
                "organization": a["organization"],
                "position": a["position"],
            }
            for a in rows.appearances
        ],
    }


_LOCATION = ("room", "building", "address")


def _start(hearing: dict[str, Any]) -> str | None:
    """An image's start as the report shows it: the UTC moment, or its Eastern day when the API
    gave no time (images from before revision 0009 have no `start_date_only`: a moment)."""
    moment = hearing.get("start_at")
    if not moment or not hearing.get("start_date_only"):
        return moment
    return start_iso(shown_start(datetime.strptime(moment, "%Y-%m-%dT%H:%M:%SZ"), True))


def compare_meeting(before: Image, after: Image) -> list[FieldChange]:
    """What differs between two before-image-shaped meetings: status, title, date, chamber,
    Congress, location, committees and witnesses; "other" when only the payload (documents,
    videos…) changed."""
    old, new = before.get("hearing") or {}, after.get("hearing") or {}
    changes: list[FieldChange] = []
    for name, was, now in (
        ("status", old.get("status"), new.get("status")),
        ("title", old.get("title"), new.get("title")),
        ("start", _start(old), _start(new)),
    ):
        if was != now:
            changes.append(FieldChange(name, was, now))
    for column in ("chamber", "congress"):
        # Only where both images hold it: an image made without it says nothing about it.
        if column in old and column in new and old[column] != new[column]:
            changes.append(FieldChange(column, old[column], new[column]))
    old_place = {k: old.get(k) for k in _LOCATION}
    new_place = {k: new.get(k) for k in _LOCATION}
    if old_place != new_place:
        changes.append(FieldChange("location", old_place, new_place))
    if list(before.get("committees") or []) != list(after.get("committees") or []):
        changes.append(FieldChange("committees", before.get("committees"), after.get("committees")))
    old_witnesses = [_witness(w) for w in before.get("witnesses") or []]
    new_witnesses = [_witness(w) for w in after.get("witnesses") or []]
    if old_witnesses != new_witnesses:
        changes.append(FieldChange("witnesses", old_witnesses, new_witnesses))
    if not changes and old.get("content_hash") != new.get("content_hash"):
        changes.append(FieldChange("other", None, None))
    return changes


def _witness(entry: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": entry.get("name"),
        "organization": entry.get("organization"),
        "position": entry.get("position"),
    }


@dataclass
class WitnessDelta:
    """How a witness list changed: who was added, who was removed, and who stayed with another
    name as given, position or organization, as (before, after) pairs."""

    added: list[dict[str, Any]]
    removed: list[dict[str, Any]]
    changed: list[tuple[dict[str, Any], dict[str, Any]]]


def witness_delta(change: FieldChange) -> WitnessDelta:
    """The witnesses a `witnesses` change added, removed and changed."""
    return match_witnesses(list(change.before or []), list(change.after or []))


def match_witnesses(before: list[dict[str, Any]], after: list[dict[str, Any]]) -> WitnessDelta:
    """Two witness lists compared as multisets in their list order. An added and a removed
    witness who are the same person (the name's identity key that witness ids are made from)
    are one changed witness."""
    remaining = Counter(_witness_key(w) for w in before)
    added = []
    for witness in after:
        key = _witness_key(witness)
        if remaining[key]:
            remaining[key] -= 1
        else:
            added.append(witness)
    kept = Counter(_witness_key(w) for w in after)
    removed = []
    for witness in before:
        key = _witness_key(witness)
        if kept[key]:
            kept[key] -= 1
        else:
            removed.append(witness)
    changed = []
    for witness in list(added):
        person = same_person_key(witness)
        was = next((w for w in removed if person and same_person_key(w) == person), None)
        if was is not None:
            removed.remove(was)
            added.remove(witness)
            changed.append((was, witness))
    return WitnessDelta(added, removed, changed)


def same_person_key(witness: dict[str, Any]) -> str:
    """The identity key of a witness's name ("" for no name, which matches no one)."""
    return parse_witness_name(str(witness.get("name") or "")).normalized


def witness_differences(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What changed in one witness, a clause a field: `position Director → Deputy Director`."""
    return [
        f"{field} {before.get(field) or 'none'} → {after.get(field) or 'none'}"
        for field in ("name", "position", "organization")
        if before.get(field) != after.get(field)
    ]


def _witness_key(witness: dict[str, Any]) -> tuple[Any, ...]:
    return (witness.get("name"), witness.get("organization"), witness.get("position"))
