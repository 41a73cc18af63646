"""The witness and appearance exports: one record per witness entity, with its appearances,
and one per appearance, with the documents linked to it."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, select

from hearings.reports.export_query import (
    CHUNK,
    Congresses,
    event_order,
    in_congresses,
    since_moment,
)
from hearings.store import schema
from hearings.store.meeting_start import shown_start, start_iso
from hearings.store.postgres import in_binary_order

WITNESS_FIELDS = (
    "witness_id",
    "name",
    "normalized_name",
    "honorific",
    "first_name",
    "last_name",
    "suffix",
    "organization",
    "appearance_count",
    "appearances",
)
APPEARANCE_FIELDS = (
    "event_id",
    "ordinal",
    "witness_id",
    "name",
    "organization",
    "position",
    "congress",
    "chamber",
    "start",
    "documents",
)


def witness_records(
    connection: Connection, *, since: date | datetime | None = None, congresses: Congresses = None
) -> Iterator[dict[str, Any]]:
    """One record per witness entity, with its appearances (event id, as given) in date order;
    `congresses` keeps the witnesses who appeared in those Congresses, with those appearances."""
    witnesses, appearances, hearings = (
        schema.witnesses,
        schema.witness_appearances,
        schema.hearings,
    )
    moment = since_moment(since)
    query = select(witnesses).order_by(
        in_binary_order(witnesses.c.witness_id, connection.dialect.name)
    )
    if moment is not None:
        query = query.where(witnesses.c.first_seen_at >= moment)
    if congresses is not None:
        query = query.where(
            witnesses.c.witness_id.in_(
                select(appearances.c.witness_id)
                .join(hearings, hearings.c.event_id == appearances.c.event_id)
                .where(hearings.c.congress.in_(congresses))
            )
        )
    entity_rows = connection.execute(query).all()
    for start in range(0, len(entity_rows), CHUNK):
        chunk = entity_rows[start : start + CHUNK]
        by_witness: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in connection.execute(
            select(
                appearances.c.witness_id,
                appearances.c.event_id,
                appearances.c.name_as_given,
                appearances.c.organization,
                appearances.c.position,
                hearings.c.start_at,
                hearings.c.start_date_only,
            )
            .join(hearings, hearings.c.event_id == appearances.c.event_id)
            .where(
                appearances.c.witness_id.in_([w.witness_id for w in chunk]),
                *in_congresses(hearings, congresses),
            )
            .order_by(
                appearances.c.witness_id,
                hearings.c.start_at,
                *event_order(appearances),
            )
        ):
            by_witness[r.witness_id].append(
                {
                    "event_id": r.event_id,
                    "start": start_iso(shown_start(r.start_at, r.start_date_only)),
                    "name": r.name_as_given,
                    "organization": r.organization,
                    "position": r.position,
                }
            )
        for w in chunk:
            yield {
                "witness_id": w.witness_id,
                "name": w.display_name,
                "normalized_name": w.normalized_name,
                "honorific": w.honorific,
                "first_name": w.first_name,
                "last_name": w.last_name,
                "suffix": w.suffix,
                "organization": w.organization,
                "appearance_count": len(by_witness[w.witness_id]),
                "appearances": by_witness[w.witness_id],
            }


def appearance_records(
    connection: Connection, *, since: date | datetime | None = None, congresses: Congresses = None
) -> Iterator[dict[str, Any]]:
    """One record per witness appearance, by meeting (numerically) and place in its list; `since`
    keeps the appearances of meetings whose `update_date` is on or after it, like `hearings`."""
    appearances, hearings = schema.witness_appearances, schema.hearings
    query = (
        select(
            appearances,
            hearings.c.congress,
            hearings.c.chamber,
            hearings.c.start_at,
            hearings.c.start_date_only,
        )
        .join(hearings, hearings.c.event_id == appearances.c.event_id)
        .order_by(*event_order(appearances), appearances.c.ordinal)
    )
    moment = since_moment(since)
    if moment is not None:
        query = query.where(hearings.c.update_date >= moment)
    query = query.where(*in_congresses(hearings, congresses))
    rows = connection.execute(query).all()
    documents = schema.witness_documents
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start : start + CHUNK]
        linked: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
        for d in connection.execute(
            select(documents)
            .where(
                documents.c.event_id.in_({r.event_id for r in chunk}),
                documents.c.appearance_ordinal.isnot(None),
            )
            .order_by(documents.c.event_id, documents.c.ordinal)
        ):
            linked[(d.event_id, int(d.appearance_ordinal))].append(
                {"type": d.document_type, "format": d.format, "url": d.url}
            )
        for r in chunk:
            yield {
                "event_id": r.event_id,
                "ordinal": int(r.ordinal),
                "witness_id": r.witness_id,
                "name": r.name_as_given,
                "organization": r.organization,
                "position": r.position,
                "congress": int(r.congress),
                "chamber": r.chamber,
                "start": start_iso(shown_start(r.start_at, r.start_date_only)),
                "documents": linked[(r.event_id, int(r.ordinal))],
            }
