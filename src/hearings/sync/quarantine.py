"""The quarantine (`import_errors`): bad records kept with their reason and raw payload, retried
at the start of the next run and marked resolved once they apply."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from hearings.store import schema
from hearings.store.writer import upsert


@dataclass(frozen=True)
class QuarantineItem:
    entity: str
    identifier: str
    stage: str
    reason: str
    locator: dict[str, Any]
    attempts: int


def quarantine(
    connection: Connection,
    *,
    entity: str,
    identifier: str,
    stage: str,
    reason: str,
    raw_payload: Any,
    locator: dict[str, Any] | None,
    now: datetime,
) -> None:
    """Record (or refresh) a bad record. A record quarantined again keeps its first-seen time and
    counts another attempt."""
    identifier = storable_text(identifier)[:128]
    table = schema.import_errors
    existing = connection.execute(
        select(table.c.attempts, table.c.resolved, table.c.locator).where(
            table.c.entity == entity, table.c.identifier == identifier
        )
    ).first()
    attempts = 1 if existing is None or existing.resolved else _attempts(existing) + 1
    if existing is not None:
        locator = _with_review_marks(locator, existing.locator)
    upsert(
        connection,
        schema.import_errors,
        [
            {
                "entity": entity,
                "identifier": identifier,
                "stage": stage,
                "reason": storable_text(reason)[:4000],
                "raw_payload": payload_text(raw_payload),
                "locator": locator,
                "first_seen_at": now,
                "last_seen_at": now,
                "attempts": attempts,
                "resolved": False,
                "resolved_at": None,
            }
        ],
        ["entity", "identifier"],
        keep=["first_seen_at"] if existing is not None and not existing.resolved else [],
    )


def payload_text(payload: Any) -> str | None:
    """The raw payload as text any backend stores, whatever it holds: invalid Unicode, NUL
    characters, and nesting too deep for `json.dumps` (kept as its `repr`, cut short)."""
    if payload is None:
        return None
    if isinstance(payload, bytes):
        payload = payload.decode("utf-8", errors="backslashreplace")
    if isinstance(payload, str):
        return storable_text(payload)
    try:
        text = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=str)
    except (RecursionError, ValueError, TypeError):
        text = _bounded_repr(payload)
    return storable_text(text)


def storable_text(text: str) -> str:
    """`text` with lone surrogates escaped and NUL characters spelled out: PostgreSQL refuses
    NUL in text, and neither backend can encode a lone surrogate."""
    if "\x00" in text:
        text = text.replace("\x00", "\\u0000")
    if not text.isascii():
        text = text.encode("utf-8", errors="backslashreplace").decode("utf-8")
    return text


def _bounded_repr(payload: Any, limit: int = 1_000_000) -> str:
    try:
        text = repr(payload)
    except RecursionError:
        return "(a payload nested too deeply to write out)"
    return text[:limit]


def open_items(
    connection: Connection, *, entity: str | None = None, congress: int | None = None
) -> list[QuarantineItem]:
    """Unresolved records, oldest first; `congress` narrows to records located in that congress."""
    table = schema.import_errors
    query = select(table).where(table.c.resolved.is_(False)).order_by(table.c.first_seen_at)
    if entity is not None:
        query = query.where(table.c.entity == entity)
    items = []
    for row in connection.execute(query):
        locator = stored_locator(row.locator)
        if congress is not None and locator.get("congress") not in (None, congress):
            continue
        items.append(
            QuarantineItem(
                entity=row.entity,
                identifier=row.identifier,
                stage=row.stage,
                reason=row.reason,
                locator=locator,
                attempts=row.attempts,
            )
        )
    return items


def resolve(connection: Connection, entity: str, identifiers: Iterable[str], now: datetime) -> int:
    """Mark records resolved; returns how many were open."""
    wanted: Sequence[str] = sorted(set(identifiers))
    if not wanted:
        return 0
    table = schema.import_errors
    result = connection.execute(
        update(table)
        .where(
            table.c.entity == entity,
            table.c.identifier.in_(wanted),
            table.c.resolved.is_(False),
        )
        .values(resolved=True, resolved_at=now)
    )
    return int(result.rowcount or 0)


def close_as_gone(
    connection: Connection,
    *,
    entity: str,
    identifier: str,
    reason: str,
    locator: dict[str, Any] | None,
    now: datetime,
) -> bool:
    """Record that upstream does not serve a record any more: its entry, open or new, is closed
    with `reason`, so the record is neither retried nor fetched again while no list names it.
    Returns whether an open entry was closed."""
    identifier = storable_text(identifier)[:128]
    table = schema.import_errors
    existing = connection.execute(
        select(table.c.attempts, table.c.resolved, table.c.locator).where(
            table.c.entity == entity, table.c.identifier == identifier
        )
    ).first()
    upsert(
        connection,
        table,
        [
            {
                "entity": entity,
                "identifier": identifier,
                "stage": "fetch",
                "reason": storable_text(reason)[:4000],
                "raw_payload": None,
                "locator": _with_review_marks(locator, existing.locator if existing else None),
                "first_seen_at": now,
                "last_seen_at": now,
                "attempts": 1 if existing is None else _attempts(existing) + 1,
                "resolved": True,
                "resolved_at": now,
            }
        ],
        ["entity", "identifier"],
        # A reopened entry keeps what was first seen of it, its payload too.
        keep=["first_seen_at", "raw_payload"] if existing is not None else [],
    )
    return existing is not None and not existing.resolved


def closed_identifiers(connection: Connection, entity: str, identifiers: Iterable[str]) -> set[str]:
    """Those of `identifiers` whose entry is closed: resolved, or found gone upstream."""
    wanted = sorted(set(identifiers))
    table = schema.import_errors
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        rows = connection.execute(
            select(table.c.identifier).where(
                table.c.entity == entity,
                table.c.identifier.in_(wanted[start : start + 500]),
                table.c.resolved.is_(True),
            )
        )
        found.update(row.identifier for row in rows)
    return found


# ---- review of held suspicious changes ---------------------------------------------------------

# The reason of a version held for review starts with this; only such entries can be reviewed.
SUSPICIOUS_PREFIX = "suspicious: "
# Kept in the entry's locator: the content hash of the version a reviewer accepted, and those of
# every version a reviewer rejected (`rejected_hash` is the one rejection an older entry kept).
ACCEPTED_HASH = "accepted_hash"
REJECTED_HASH = "rejected_hash"
REJECTED_HASHES = "rejected_hashes"
REVIEW_KEYS = (ACCEPTED_HASH, REJECTED_HASH, REJECTED_HASHES)


def rejected_hashes(locator: dict[str, Any]) -> set[str]:
    """The content hashes of the versions a reviewer rejected, as an entry's locator keeps them."""
    found = set(locator.get(REJECTED_HASHES) or [])
    if locator.get(REJECTED_HASH):
        found.add(str(locator[REJECTED_HASH]))
    return {str(digest) for digest in found}


def _with_review_marks(locator: dict[str, Any] | None, previous: Any) -> dict[str, Any] | None:
    """`locator`, keeping the review decisions of the entry it replaces: a record quarantined
    again (a later version held, a payload that no longer parses) must not forget that a
    reviewer rejected a version, or that version could be applied when upstream serves it
    again."""
    earlier = stored_locator(previous)
    kept = {key: earlier[key] for key in REVIEW_KEYS if key in earlier}
    if not kept:
        return locator
    return {**(locator or {}), **kept}


def review_marks(
    connection: Connection, entity: str, identifiers: Iterable[str]
) -> dict[str, dict[str, Any]]:
    """The review decisions on these records (identifier → the entry's locator), resolved or not."""
    wanted = sorted(set(identifiers))
    if not wanted:
        return {}
    table = schema.import_errors
    rows = connection.execute(
        select(table.c.identifier, table.c.locator).where(
            table.c.entity == entity, table.c.identifier.in_(wanted)
        )
    )
    marks = {row.identifier: stored_locator(row.locator) for row in rows}
    return {
        identifier: locator
        for identifier, locator in marks.items()
        if any(key in locator for key in REVIEW_KEYS)
    }


def _attempts(existing: Any) -> int:
    """An entry's attempts so far; none when the column holds no number (SQLite keeps text in
    it), which failed the entry's write, so the record stayed quarantined as it was."""
    return existing.attempts if isinstance(existing.attempts, int) else 0


def stored_locator(value: Any) -> dict[str, Any]:
    """An entry's locator as stored, a copy: an object, or nothing. The column takes any JSON, and
    a value of another shape (written by another program, or damaged) failed the meetings stage
    of every update that retried the quarantine; read as nothing, the entry is retried from
    where the database holds its record, and `hearings verify` names the value."""
    return dict(value) if isinstance(value, dict) else {}
