"""A meeting's history: its archived versions, oldest first, each with what changed from the one
before in plain sentences ("Status: Scheduled → Postponed", "Witness added: Dr. Jane Roe (GAO)").

The versions come from the payload archive, so history starts when a database began archiving:
its first version is "first seen", whatever happened upstream before.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, select

from hearings.citations import cite_bill
from hearings.congresses import ordinal
from hearings.direction_controls import closed_text
from hearings.reports.document_changes import ListedDocument, document_delta, document_sentence
from hearings.reports.meeting_compare import match_witnesses, witness_differences
from hearings.reports.moved_sentences import moved_sentences
from hearings.store.archive import (
    ArchivedVersion,
    versions_of,
)
from hearings.store.records import bill_spelling
from hearings.store.schema import import_errors
from hearings.sync.quarantine import ACCEPTED_HASH

_BUILDING_SUFFIXES = (" House Office Building", " Senate Office Building", " Office Building")


@dataclass
class HistoryEntry:
    version: int
    first_seen: str
    last_seen: str
    run_id: int | None
    update_date: str | None
    changes: list[str] = field(default_factory=list)
    # Applied by a reviewer's accept (`hearings quarantine accept`, /admin), not by a run.
    accepted_from_quarantine: bool = False


# A version whose archived payload cannot be read (`hearings verify` names it), and the one after.
DAMAGED_VERSION = "What changed cannot be shown: this version's archived copy is damaged"
AFTER_DAMAGED_VERSION = (
    "What changed cannot be shown: the version before's archived copy is damaged"
)


def meeting_history(engine: Engine, event_id: str) -> list[HistoryEntry]:
    """Every archived version of a meeting, oldest first, with its changes in sentences."""
    with engine.connect() as connection:
        versions = versions_of(connection, "meeting", event_id)
        accepted = accepted_hashes(connection, event_id)
    entries = []
    previous: dict[str, Any] | None = None
    for number, version in enumerate(versions, start=1):
        if version.payload is None:
            changes = [DAMAGED_VERSION]
        elif number == 1:
            changes = ["First seen"]
        elif previous is None:
            changes = [AFTER_DAMAGED_VERSION]
        else:
            changes = describe_changes(previous, version.payload) or ["Details changed"]
        entry = _entry(number, version, changes)
        entry.accepted_from_quarantine = version.run_id is None and version.content_hash in accepted
        entries.append(entry)
        previous = version.payload
    return entries


def accepted_hashes(connection: Connection, event_id: str) -> set[str]:
    """The content hashes of a meeting's versions a reviewer accepted from the quarantine."""
    errors = import_errors
    rows = connection.execute(
        select(errors.c.locator).where(
            errors.c.entity == "meeting", errors.c.identifier == event_id
        )
    ).scalars()
    return {
        str(locator[ACCEPTED_HASH])
        for locator in rows
        if isinstance(locator, dict) and locator.get(ACCEPTED_HASH)
    }


def as_json(entries: Iterable[HistoryEntry]) -> list[dict[str, Any]]:
    return [asdict(entry) for entry in entries]


def describe_changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """What changed between two versions of a meeting, one sentence each."""
    sentences: list[str] = []
    if plain_text(before.get("meetingStatus")) != plain_text(after.get("meetingStatus")):
        was, now = shown_text(before.get("meetingStatus")), shown_text(after.get("meetingStatus"))
        sentences.append(f"Status: {was or 'none'} → {now or 'none'}")
    sentences += moved_sentences(before.get("date"), after.get("date"))
    sentences += _chamber_and_congress(before, after)
    if plain_text(before.get("title")) != plain_text(after.get("title")):
        sentences.append("Title changed")
    room_before, room_after = _room(before.get("location")), _room(after.get("location"))
    if room_before != room_after:
        sentences.append(f"Room {room_before or 'none'} → {room_after or 'none'}")
    sentences += _committee_sentences(before.get("committees"), after.get("committees"))
    sentences += witness_sentences(before.get("witnesses"), after.get("witnesses"))
    documents = document_sentence(document_delta(_documents(before), _documents(after)))
    sentences += [documents] if documents else []
    videos_before, videos_after = _urls(before, ("videos",)), _urls(after, ("videos",))
    if videos_after - videos_before:
        sentences.append("Video added")
    if videos_before - videos_after:
        sentences.append("Video removed")
    bills_before, bills_after = _bills(before), _bills(after)
    added = sorted(cited for key, cited in bills_after.items() if key not in bills_before)
    removed = sorted(cited for key, cited in bills_before.items() if key not in bills_after)
    sentences += [f"Bill added: {b}" for b in added]
    sentences += [f"Bill removed: {b}" for b in removed]
    return sentences


def _chamber_and_congress(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    sentences = []
    was, now = shown_text(before.get("chamber")), shown_text(after.get("chamber"))
    if was != now:
        sentences.append(f"Chamber: {was or 'none'} → {now or 'none'}")
    was, now = _congress(before.get("congress")), _congress(after.get("congress"))
    if was != now:
        sentences.append(f"Congress: {was or 'none'} → {now or 'none'}")
    return sentences


def _congress(value: object) -> str | None:
    """`119th`, or the text as sent when it is not a (plausible) number."""
    text = shown_text(value)
    return ordinal(int(text)) if text and text.isdecimal() and len(text) <= 6 else text


def _room(location: object) -> str | None:
    """Where a meeting is: "2123 Rayburn", and a field hearing's address after it, so a move
    to an address alone reads "Room 2123 Rayburn → 1100 Congress Ave, Austin, TX", not "→ none"."""
    if not isinstance(location, dict):
        return None
    room, building = shown_text(location.get("room")), shown_text(location.get("building"))
    for suffix in _BUILDING_SUFFIXES:
        if building and building.endswith(suffix):
            building = building[: -len(suffix)]
    place = " ".join(p for p in (room, building) if p)
    return ", ".join(p for p in (place, _address(location.get("address"))) if p) or None


def _address(value: object) -> str | None:
    """A location's address as one line: the API documents an object, as the parser reads it."""
    if isinstance(value, dict):
        return ", ".join(t for v in value.values() if (t := shown_text(v))) or None
    return shown_text(value)


def _committee_sentences(before: object, after: object) -> list[str]:
    was, now = _committees(before), _committees(after)
    added = [f"Committee added: {name}" for code, name in now.items() if code not in was]
    return added + [f"Committee removed: {name}" for code, name in was.items() if code not in now]


def _committees(value: object) -> dict[str, str]:
    """A payload's committees by system code, each as the payload names it."""
    named = ((plain_text(c.get("systemCode")), shown_text(c.get("name"))) for c in _items(value))
    return {code.lower(): name or code for code, name in named if code}


def witness_sentences(before: object, after: object) -> list[str]:
    """Witnesses added, removed and changed between two payloads' witness lists."""
    delta = match_witnesses(_witnesses(before), _witnesses(after))
    added = [f"Witness added: {_person(w)}" for w in delta.added]
    removed = [f"Witness removed: {_person(w)}" for w in delta.removed]
    changed = [
        f"Witness changed: {now['name']}: " + "; ".join(witness_differences(was, now))
        for was, now in delta.changed
    ]
    return added + removed + changed


def _witnesses(value: object) -> list[dict[str, str | None]]:
    """The named witnesses of a payload, their text with whitespace collapsed."""
    found = []
    for item in _items(value):
        witness = {key: shown_text(item.get(key)) for key in ("name", "organization", "position")}
        if witness["name"]:
            found.append(witness)
    return found


def _person(witness: dict[str, str | None]) -> str:
    """`Dr. Jane Roe (GAO)`, or the name alone."""
    name, organization = witness["name"], witness["organization"]
    return f"{name} ({organization})" if organization else str(name)


def _documents(payload: dict[str, Any]) -> list[ListedDocument]:
    return [
        ListedDocument(
            url=plain_text(item.get("url")),
            document_type=plain_text(item.get("documentType")),
            name=plain_text(item.get("name")),
            description=plain_text(item.get("description")),
        )
        for key in ("meetingDocuments", "witnessDocuments")
        for item in _items(payload.get(key))
    ]


def _urls(payload: dict[str, Any], keys: tuple[str, ...]) -> set[str]:
    """The items' URLs, their spacing ignored as the store ignores it (a URL that gained a space
    is the same video, not one added and one removed)."""
    return {
        " ".join(str(item.get("url")).split())
        for key in keys
        for item in _items(payload.get(key))
        if item.get("url")
    }


def _bills(payload: dict[str, Any]) -> dict[tuple[str | None, str, str], str]:
    """A payload's bills, each cited, keyed as the database keys a bill: by its Congress and its
    type and number as `bill_spelling` writes them. So `h.r. 01` is H.R. 1, not a bill added
    and one removed; and H.R. 1 of another Congress is another bill, named with its Congress."""
    related = payload.get("relatedItems")
    bills = related.get("bills") if isinstance(related, dict) else None
    own = _congress(payload.get("congress"))
    cited = {}
    for bill in _items(bills):
        kind, number = plain_text(bill.get("type")), plain_text(bill.get("number"))
        if not (kind and number):
            continue
        kind, number = bill_spelling(kind, number)
        if kind and number:
            congress = _congress(bill.get("congress"))
            citation = cite_bill(kind, number)
            if congress and congress != own:
                citation += f" ({congress} Congress)"
            cited[(congress, kind, number)] = citation
    return cited


def _items(value: object) -> list[dict[str, Any]]:
    """A list of objects, through the XML-style `{"item": [...]}` container too."""
    if isinstance(value, dict) and "item" in value:
        value = value["item"]
    if isinstance(value, dict):
        value = [value]
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def plain_text(value: object) -> str | None:
    """A payload's value as text, whitespace collapsed; None for nothing or blank."""
    return " ".join(str(value).split()) or None if value is not None else None


def shown_text(value: object) -> str | None:
    """A payload's value as a sentence names it: `plain_text`, with the direction controls it
    leaves open closed where it ends. An override never closed (U+202E) reversed the rest of the
    sentence wherever it is shown: the organization after a witness's name, the building after
    the room."""
    text = plain_text(value)
    return closed_text(text) if text else text


def _entry(number: int, version: ArchivedVersion, changes: list[str]) -> HistoryEntry:
    return HistoryEntry(
        version=number,
        first_seen=_iso(version.first_seen_at),
        last_seen=_iso(version.last_seen_at),
        run_id=version.run_id,
        update_date=_iso(version.update_date) if version.update_date else None,
        changes=changes,
    )


def _iso(moment: datetime) -> str:
    return moment.replace(tzinfo=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
