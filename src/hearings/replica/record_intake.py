"""Records from payloads: what a record needs to enter the corpus (its id, a Congress, an
`updateDate` that is a date-time) and the Congresses and chamber it is filed under. A record read
from a corpus file is filed where the file sits instead, and served as the file has it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from hearings.congress_api.models import chamber_path, parse_api_datetime
from hearings.replica.records import (
    ID_FIELD,
    ITEM_KEY,
    Kind,
    Record,
    record_body,
    required,
    strip_meta,
    unwrap,
)

#: The Congresses of a committee or member whose payload names none: (kind, key) -> Congresses.
HeldCongresses = Callable[[Kind, str], tuple[int, ...]]


@dataclass(frozen=True, slots=True)
class FilePlace:
    """Where a corpus file sits, which says what the record is whatever its body says, as the
    API's paths do: the id its name gives, the chamber and Congress its folders give. A body
    whose `updateDate` is no date-time is listed as changed at `loaded_at` (epoch seconds)."""

    ident: str
    chamber: str  # path form (`house`); empty for members
    congress: int | None  # the folder's, for meetings and printed hearings
    loaded_at: float


def filed_record(
    kind: Literal["meeting", "hearing"],
    payload: Mapping[str, Any],
    *,
    chamber: str | None,
    place: FilePlace | None = None,
) -> Record:
    """A meeting or printed hearing (an item response or the bare record), under its Congress."""
    body = record_body(payload, kind)
    if place is not None and place.congress is not None:
        return _record(kind, body, congresses=(place.congress,), chamber=place.chamber, place=place)
    congress = required(body, "congress", kind)
    room = chamber_path(str(body.get("chamber") or chamber or ""))
    return _record(kind, body, congresses=(int(congress),), chamber=room)


def committee_record(
    payload: Mapping[str, Any],
    *,
    chamber: str | None,
    congresses: Iterable[int] | None,
    held: HeldCongresses,
    place: FilePlace | None = None,
) -> Record:
    raw = unwrap(payload, "committee")
    body = strip_meta(raw)
    if place is not None:
        room, key = place.chamber, place.ident.lower()
    else:
        room = chamber_path(str(body.get("chamber") or chamber or ""))
        key = str(required(body, "systemCode", "committee")).lower()
    chosen = _congresses("committee", key, raw, congresses, held)
    return _record("committee", body, congresses=chosen, chamber=room, place=place)


def member_record(
    payload: Mapping[str, Any],
    *,
    congresses: Iterable[int] | None,
    held: HeldCongresses,
    place: FilePlace | None = None,
) -> Record:
    raw = unwrap(payload, "member")
    body = strip_meta(raw)
    if place is not None:
        key = place.ident.lower()
    else:
        key = str(required(body, "bioguideId", "member")).lower()
    from_terms = [t.get("congress") for t in _listed(body.get("terms")) if isinstance(t, dict)]
    fallback = congresses if congresses is not None else [c for c in from_terms if c]
    chosen = _congresses("member", key, raw, fallback or None, held)
    return _record("member", body, congresses=chosen, chamber="", place=place)


def _listed(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def file_record(
    kind: Kind,
    payload: Mapping[str, Any],
    place: FilePlace,
    congresses: Iterable[int] | None,
    *,
    held: HeldCongresses,
) -> Record:
    """The record a corpus file holds, filed by `place`."""
    wrapped = payload.get(ITEM_KEY[kind], {})
    if not isinstance(wrapped, Mapping):
        raise ValueError(f"its {ITEM_KEY[kind]!r} is not a JSON object")
    if kind == "meeting" or kind == "hearing":
        return filed_record(kind, payload, chamber=None, place=place)
    if kind == "committee":
        return committee_record(
            payload, chamber=None, congresses=congresses, held=held, place=place
        )
    return member_record(payload, congresses=congresses, held=held, place=place)


def _congresses(
    kind: Kind,
    key: str,
    raw: Mapping[str, Any],
    given: Iterable[int] | None,
    held: HeldCongresses,
) -> tuple[int, ...]:
    listed = raw.get("_congresses")
    if isinstance(listed, list) and listed:
        return tuple(int(c) for c in listed)
    if given is not None:
        return tuple(int(c) for c in given)
    return held(kind, key)


def _record(
    kind: Kind,
    body: dict[str, Any],
    *,
    congresses: Iterable[int],
    chamber: str,
    place: FilePlace | None = None,
) -> Record:
    if place is not None:
        # Served as the file has it, malformed or not: the updater is what must cope with it.
        update_date = body.get("updateDate")
        return Record(
            kind=kind,
            key=place.ident.lower(),
            ident=place.ident,
            congresses=tuple(sorted({int(c) for c in congresses})),
            chamber=chamber,
            updated=_instant(update_date, place.loaded_at),
            update_date=update_date,
            body=body,
        )
    ident = str(required(body, ID_FIELD[kind], kind)).strip()
    given = str(required(body, "updateDate", kind))
    moment = parse_api_datetime(given)
    if moment is None:
        raise ValueError(f"a {kind} record's updateDate {given!r} is not a date-time")
    return Record(
        kind=kind,
        key=ident.lower(),
        ident=ident,
        congresses=tuple(sorted({int(c) for c in congresses})),
        chamber=chamber,
        updated=moment.timestamp(),
        update_date=given,
        body=body,
    )


def _instant(update_date: object, otherwise: float) -> float:
    try:
        moment = parse_api_datetime(update_date) if isinstance(update_date, str) else None
        return moment.timestamp() if moment is not None else otherwise
    except (ValueError, OverflowError):
        return otherwise
