"""Records from payloads: what a record needs to enter the corpus (its id, a Congress, an
`updateDate` that is a date-time) and the Congresses and chamber it is filed under."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

from hearings.congress_api.models import chamber_path, parse_api_datetime
from hearings.replica.records import (
    ID_FIELD,
    Kind,
    Record,
    record_body,
    required,
    strip_meta,
    unwrap,
)

#: The Congresses of a committee or member whose payload names none: (kind, key) -> Congresses.
HeldCongresses = Callable[[Kind, str], tuple[int, ...]]


def filed_record(
    kind: Literal["meeting", "hearing"], payload: Mapping[str, Any], *, chamber: str | None
) -> Record:
    """A meeting or printed hearing (an item response or the bare record), under its Congress."""
    body = record_body(payload, kind)
    congress = required(body, "congress", kind)
    room = chamber_path(str(body.get("chamber") or chamber or ""))
    return _record(kind, body, congresses=(int(congress),), chamber=room)


def committee_record(
    payload: Mapping[str, Any],
    *,
    chamber: str | None,
    congresses: Iterable[int] | None,
    held: HeldCongresses,
) -> Record:
    raw = unwrap(payload, "committee")
    body = strip_meta(raw)
    room = chamber_path(str(body.get("chamber") or chamber or ""))
    key = str(required(body, "systemCode", "committee")).lower()
    chosen = _congresses("committee", key, raw, congresses, held)
    return _record("committee", body, congresses=chosen, chamber=room)


def member_record(
    payload: Mapping[str, Any], *, congresses: Iterable[int] | None, held: HeldCongresses
) -> Record:
    raw = unwrap(payload, "member")
    body = strip_meta(raw)
    key = str(required(body, "bioguideId", "member")).lower()
    from_terms = [t.get("congress") for t in body.get("terms") or [] if isinstance(t, dict)]
    fallback = congresses if congresses is not None else [c for c in from_terms if c]
    chosen = _congresses("member", key, raw, fallback or None, held)
    return _record("member", body, congresses=chosen, chamber="")


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


def _record(kind: Kind, body: dict[str, Any], *, congresses: Iterable[int], chamber: str) -> Record:
    ident = str(required(body, ID_FIELD[kind], kind)).strip()
    update_date = str(required(body, "updateDate", kind))
    moment = parse_api_datetime(update_date)
    if moment is None:
        raise ValueError(f"a {kind} record's updateDate {update_date!r} is not a date-time")
    return Record(
        kind=kind,
        key=ident.lower(),
        ident=ident,
        congresses=tuple(sorted({int(c) for c in congresses})),
        chamber=chamber,
        updated=moment.timestamp(),
        update_date=update_date,
        body=body,
    )
