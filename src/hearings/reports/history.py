"""A meeting's history: its archived versions, oldest first, each with what changed from the one
before in plain sentences ("Status: Scheduled → Postponed", "Witness added: Dr. Jane Roe (GAO)").

The versions come from the payload archive, so history starts when a database began archiving:
its first version is "first seen", whatever happened upstream before.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, Select, select

from hearings.citations import cite_bill
from hearings.congress_api.models import parse_api_datetime
from hearings.congresses import ordinal
from hearings.reports.document_changes import ListedDocument, document_delta, document_sentence
from hearings.reports.meeting_compare import match_witnesses, witness_differences
from hearings.store.archive import (
    ArchivedVersion,
    VersionStep,
    payloads_of,
    version_steps,
    versions_of,
)
from hearings.store.schema import import_errors
from hearings.sync.quarantine import ACCEPTED_HASH

EASTERN = ZoneInfo("America/New_York")
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


def meeting_history(engine: Engine, event_id: str) -> list[HistoryEntry]:
    """Every archived version of a meeting, oldest first, with its changes in sentences."""
    with engine.connect() as connection:
        versions = versions_of(connection, "meeting", event_id)
        accepted = accepted_hashes(connection, event_id)
    entries = []
    previous: dict[str, Any] | None = None
    for number, version in enumerate(versions, start=1):
        if previous is None:
            changes = ["First seen"]
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
    if _text(before.get("meetingStatus")) != _text(after.get("meetingStatus")):
        was, now = _text(before.get("meetingStatus")), _text(after.get("meetingStatus"))
        sentences.append(f"Status: {was or 'none'} → {now or 'none'}")
    sentences += _moved(before.get("date"), after.get("date"))
    sentences += _chamber_and_congress(before, after)
    if _text(before.get("title")) != _text(after.get("title")):
        sentences.append("Title changed")
    room_before, room_after = _room(before.get("location")), _room(after.get("location"))
    if room_before != room_after:
        sentences.append(f"Room {room_before or 'none'} → {room_after or 'none'}")
    sentences += _people(before.get("witnesses"), after.get("witnesses"))
    documents = document_sentence(document_delta(_documents(before), _documents(after)))
    sentences += [documents] if documents else []
    videos_before, videos_after = _urls(before, ("videos",)), _urls(after, ("videos",))
    if videos_after - videos_before:
        sentences.append("Video added")
    if videos_before - videos_after:
        sentences.append("Video removed")
    bills_before, bills_after = _bills(before), _bills(after)
    sentences += [f"Bill added: {b}" for b in sorted(bills_after - bills_before)]
    sentences += [f"Bill removed: {b}" for b in sorted(bills_before - bills_after)]
    return sentences


def _moved(before: object, after: object) -> list[str]:
    was, now = _moment(before), _moment(after)
    if was == now:
        return []
    if was is None:
        return [f"Scheduled for {_when(now)}"] if now else []
    if now is None:
        return ["Date removed"]
    return [f"Moved from {_when(was, zone=False)} to {_when(now)}"]


def _chamber_and_congress(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    sentences = []
    was, now = _text(before.get("chamber")), _text(after.get("chamber"))
    if was != now:
        sentences.append(f"Chamber: {was or 'none'} → {now or 'none'}")
    was, now = _congress(before.get("congress")), _congress(after.get("congress"))
    if was != now:
        sentences.append(f"Congress: {was or 'none'} → {now or 'none'}")
    return sentences


def _congress(value: object) -> str | None:
    """`119th`, or the text as sent when it is not a (plausible) number."""
    text = _text(value)
    return ordinal(int(text)) if text and text.isdecimal() and len(text) <= 6 else text


def _moment(value: object) -> datetime | None:
    try:
        return parse_api_datetime(value)
    except ValueError:
        return None


def _when(moment: datetime | None, *, zone: bool = True) -> str:
    """ "Thu Oct 9, 2:00 p.m. ET", as Congress keeps time."""
    if moment is None:
        return "no date"
    local = moment.astimezone(UTC).astimezone(EASTERN)
    hour = local.hour % 12 or 12
    clock = f"{hour}:{local.minute:02d} {'a.m.' if local.hour < 12 else 'p.m.'}"
    return f"{local:%a %b} {local.day}, {clock}" + (" ET" if zone else "")


def _room(location: object) -> str | None:
    if not isinstance(location, dict):
        return None
    room, building = _text(location.get("room")), _text(location.get("building"))
    for suffix in _BUILDING_SUFFIXES:
        if building and building.endswith(suffix):
            building = building[: -len(suffix)]
    return " ".join(p for p in (room, building) if p) or None


def _people(before: object, after: object) -> list[str]:
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
        witness = {key: _text(item.get(key)) for key in ("name", "organization", "position")}
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
            url=_text(item.get("url")),
            document_type=_text(item.get("documentType")),
            name=_text(item.get("name")),
            description=_text(item.get("description")),
        )
        for key in ("meetingDocuments", "witnessDocuments")
        for item in _items(payload.get(key))
    ]


def _urls(payload: dict[str, Any], keys: tuple[str, ...]) -> set[str]:
    return {
        str(item.get("url")) for key in keys for item in _items(payload.get(key)) if item.get("url")
    }


def _bills(payload: dict[str, Any]) -> set[str]:
    related = payload.get("relatedItems")
    bills = related.get("bills") if isinstance(related, dict) else None
    cited = set()
    for bill in _items(bills):
        kind, number = _text(bill.get("type")), _text(bill.get("number"))
        if kind and number:
            cited.add(cite_bill(kind, number))
    return cited


def _items(value: object) -> list[dict[str, Any]]:
    """A list of objects, through the XML-style `{"item": [...]}` container too."""
    if isinstance(value, dict) and "item" in value:
        value = value["item"]
    if isinstance(value, dict):
        value = [value]
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _text(value: object) -> str | None:
    return " ".join(str(value).split()) or None if value is not None else None


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


# ---- changes across the database -------------------------------------------------------------

ChangeKind = Literal["postponed", "canceled", "rescheduled", "witnesses"]
CHANGE_KINDS: dict[str, str] = {
    "postponed": "Postponed",
    "canceled": "Canceled",
    "rescheduled": "Rescheduled or moved",
    "witnesses": "Witnesses changed",
}


def change_kinds(before: dict[str, Any], after: dict[str, Any]) -> list[ChangeKind]:
    """The kinds of a change, from the two payloads: postponed or canceled (the status became
    so), rescheduled (the status became Rescheduled, or the date moved), witnesses changed."""
    kinds: list[ChangeKind] = []
    was = (_text(before.get("meetingStatus")) or "").lower()
    now = (_text(after.get("meetingStatus")) or "").lower()
    if now != was and now == "postponed":
        kinds.append("postponed")
    if now != was and now in ("canceled", "cancelled"):
        kinds.append("canceled")
    date_before, date_after = _moment(before.get("date")), _moment(after.get("date"))
    moved = None not in (date_before, date_after) and date_before != date_after
    if (now != was and now == "rescheduled") or moved:
        kinds.append("rescheduled")
    if _people(before.get("witnesses"), after.get("witnesses")):
        kinds.append("witnesses")
    return kinds


@dataclass
class MeetingChange:
    """One new version of a meeting that had an earlier one, and what changed in it."""

    event_id: str
    version: int
    version_id: int
    first_seen_at: datetime
    run_id: int | None
    changes: list[str]
    kinds: list[ChangeKind]


def recent_changes(
    connection: Connection,
    *,
    since: datetime | None,
    among: Select[Any] | None = None,
    kinds: Collection[str] = (),
    limit: int,
    offset: int = 0,
) -> tuple[int, list[MeetingChange]]:
    """Changes to meetings first seen since `since`, newest first, and how many there are.
    Only the two versions of each change are unpacked; with `kinds`, every change in the
    period is (the kind is in the payloads, not in a column)."""
    if not kinds:
        total, steps = version_steps(
            connection, "meeting", since=since, among=among, limit=limit, offset=offset
        )
        return total, _changes(connection, steps)
    _, steps = version_steps(connection, "meeting", since=since, among=among)
    matching: list[MeetingChange] = []
    for start in range(0, len(steps), _UNPACK_CHUNK):
        found = _changes(connection, steps[start : start + _UNPACK_CHUNK])
        matching += [c for c in found if set(c.kinds) & set(kinds)]
    return len(matching), matching[offset : offset + limit]


_UNPACK_CHUNK = 200


def _changes(connection: Connection, steps: Sequence[VersionStep]) -> list[MeetingChange]:
    payloads = payloads_of(
        connection, [s.version_id for s in steps] + [s.previous_id for s in steps]
    )
    changes = []
    for step in steps:
        before, after = payloads[step.previous_id], payloads[step.version_id]
        changes.append(
            MeetingChange(
                event_id=step.identifier,
                version=step.number,
                version_id=step.version_id,
                first_seen_at=step.first_seen_at,
                run_id=step.run_id,
                changes=describe_changes(before, after) or ["Details changed"],
                kinds=change_kinds(before, after),
            )
        )
    return changes
