"""A witness's row, which every meeting that names the witness shares. It is made from the
witness's first appearance in event-id order (then in the meeting's own order), whatever order
the meetings were written in: an import, the updates after it and a rebuild from the archive
then give each witness the same row from the same payloads, and the row follows the newest
version of the meeting that names the witness first (a title or an organization's spelling
corrected there reaches the witness)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, bindparam, select, update

from hearings.store import schema
from hearings.witness_names import PersonName, normalize_organization, parse_witness_name

if TYPE_CHECKING:
    from hearings.store.records import MeetingRows

Row = dict[str, Any]
# Where an appearance stands in the order that picks a witness's row: (event id, ordinal).
Place = tuple[str, int]
# The columns an appearance decides; the id, its two keys and the first-seen time never change.
SHOWN = ("display_name", "honorific", "first_name", "last_name", "suffix", "organization")
_CHUNK = 500


def witness_row(
    person: PersonName, raw_name: str, organization: str | None, witness_id: str, now: datetime
) -> Row:
    """The row an appearance as `raw_name` of `organization` gives its witness."""
    return {
        "witness_id": witness_id,
        "normalized_name": person.normalized,
        "organization_key": normalize_organization(organization),
        "display_name": display_name(person, raw_name),
        "honorific": person.honorific,
        "first_name": person.first,
        "last_name": person.last,
        "suffix": person.suffix,
        "organization": organization,
        "first_seen_at": now,
    }


def display_name(person: PersonName, raw_name: str) -> str:
    parts = [person.first, person.middle, person.last]
    name = " ".join(p for p in parts if p)
    if person.suffix:
        name = f"{name}, {person.suffix}" if name else person.suffix
    return name or " ".join(raw_name.split())


def first_places(batch: Iterable[MeetingRows]) -> dict[str, tuple[Place, Row]]:
    """Each witness the meetings name, with its first appearance among them and the row that
    appearance gives (a meeting's `witnesses` hold the row of each witness's first ordinal)."""
    found: dict[str, tuple[Place, Row]] = {}
    for rows in batch:
        own = {w["witness_id"]: w for w in rows.witnesses}
        for appearance in rows.appearances:
            witness_id = appearance["witness_id"]
            place = (rows.event_id, appearance["ordinal"])
            if witness_id not in found or place < found[witness_id][0]:
                found[witness_id] = (place, own[witness_id])
    return found


def settle_witness_rows(
    connection: Connection,
    witness_ids: Iterable[str],
    written: Mapping[str, tuple[Place, Row]],
    now: datetime,
) -> list[str]:
    """Give each of these stored witnesses the row of its first appearance, now that the
    meetings of `written` (from `first_places`) are in place. Returns the other meetings that
    name a witness whose organization changed: their index rows name it."""
    wanted = sorted(set(witness_ids))
    changed: list[Row] = []
    reindex: set[str] = set()
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        first = _first_appearances(connection, chunk)
        stored = _stored_rows(connection, list(first))
        for witness_id, (place, raw_name, organization) in first.items():
            known = written.get(witness_id)
            if known is not None and known[0] == place:
                row = known[1]
            else:
                person = parse_witness_name(raw_name or "")
                row = witness_row(person, raw_name or "", organization, witness_id, now)
            before = stored.get(witness_id)
            if before is None or all(before[c] == row[c] for c in SHOWN):
                continue
            changed.append({"b_witness_id": witness_id, **{f"b_{c}": row[c] for c in SHOWN}})
            if before["organization"] != row["organization"]:
                reindex.add(witness_id)
    if changed:
        witnesses = schema.witnesses
        connection.execute(
            update(witnesses)
            .where(witnesses.c.witness_id == bindparam("b_witness_id"))
            .values({c: bindparam(f"b_{c}") for c in SHOWN}),
            changed,
        )
    return _meetings_naming(connection, sorted(reindex))


def _first_appearances(
    connection: Connection, witness_ids: Sequence[str]
) -> dict[str, tuple[Place, str | None, str | None]]:
    appearances = schema.witness_appearances
    first: dict[str, tuple[Place, str | None, str | None]] = {}
    for r in connection.execute(
        select(
            appearances.c.witness_id,
            appearances.c.event_id,
            appearances.c.ordinal,
            appearances.c.name_as_given,
            appearances.c.organization,
        ).where(appearances.c.witness_id.in_(witness_ids))
    ):
        place = (r.event_id, r.ordinal)
        if r.witness_id not in first or place < first[r.witness_id][0]:
            first[r.witness_id] = (place, r.name_as_given, r.organization)
    return first


def _stored_rows(connection: Connection, witness_ids: Sequence[str]) -> dict[str, Row]:
    witnesses = schema.witnesses
    if not witness_ids:
        return {}
    result = connection.execute(
        select(witnesses.c.witness_id, *(witnesses.c[c] for c in SHOWN)).where(
            witnesses.c.witness_id.in_(witness_ids)
        )
    )
    return {r.witness_id: dict(r._mapping) for r in result}


def _meetings_naming(connection: Connection, witness_ids: Sequence[str]) -> list[str]:
    appearances = schema.witness_appearances
    found: set[str] = set()
    for start in range(0, len(witness_ids), _CHUNK):
        chunk = witness_ids[start : start + _CHUNK]
        found.update(
            connection.execute(
                select(appearances.c.event_id).where(appearances.c.witness_id.in_(chunk))
            ).scalars()
        )
    return sorted(found)
