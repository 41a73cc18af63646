"""Witnesses: one with the meetings they appeared at and their organizations over time, and the
list search. Appearances are in `appearances`, organizations in `organizations`, committees in
`committee_entities`, members in `member_entities`."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, case, func, or_, select

from hearings.store import schema
from hearings.store.meeting_start import Start, shown_start
from hearings.store.postgres import in_binary_order
from hearings.web.appearances import AppearanceRow, appearances_of, date_span
from hearings.web.organization_slugs import organization_path
from hearings.web.timefmt import iso_z

hearings = schema.hearings


@dataclass
class OrganizationSpan:
    """One organization a person appeared for, and when."""

    witness_id: str
    organization: str | None
    organization_key: str
    first: Start | None
    last: Start | None
    count: int


@dataclass
class WitnessDetail:
    witness_id: str
    name: str
    normalized_name: str
    honorific: str | None
    organization: str | None
    organization_key: str
    appearances: list[AppearanceRow]
    organizations: list[OrganizationSpan] = field(default_factory=list)

    @property
    def congresses(self) -> list[int]:
        """The Congresses this witness appeared in, oldest first: one witness, however many."""
        return sorted({a.congress for a in self.appearances})

    def as_json(self) -> dict[str, Any]:
        return {
            "witness_id": self.witness_id,
            "name": self.name,
            "normalized_name": self.normalized_name,
            "honorific": self.honorific,
            "organization": self.organization,
            "organization_url": organization_path(self.organization_key),
            "appearance_count": len(self.appearances),
            "congresses": self.congresses,
            "appearances": [a.as_json() for a in self.appearances],
            "organizations_over_time": [
                {
                    "witness_id": o.witness_id,
                    "organization": o.organization,
                    "first": iso_z(o.first),
                    "last": iso_z(o.last),
                    "appearances": o.count,
                }
                for o in self.organizations
            ],
        }


def load_witness(connection: Connection, witness_id: str) -> WitnessDetail | None:
    witnesses = schema.witnesses
    row = connection.execute(select(witnesses).where(witnesses.c.witness_id == witness_id)).first()
    if row is None:
        return None
    # The same person (same normalized name) for other organizations is another entity; together
    # they show the person's organizations over time.
    same_person = connection.execute(
        select(witnesses.c.witness_id, witnesses.c.organization, witnesses.c.organization_key)
        .where(witnesses.c.normalized_name == row.normalized_name)
        .limit(50)
    ).all()
    all_appearances = appearances_of(connection, [r.witness_id for r in same_person])
    spans = []
    for entity in same_person:
        mine = [a for a in all_appearances if a.witness_id == entity.witness_id]
        first, last = date_span(mine)
        spans.append(
            OrganizationSpan(
                entity.witness_id,
                entity.organization,
                entity.organization_key,
                first,
                last,
                len(mine),
            )
        )
    spans.sort(key=lambda s: (s.first is None, s.first or datetime.min, s.witness_id))
    return WitnessDetail(
        witness_id=row.witness_id,
        name=row.display_name,
        normalized_name=row.normalized_name,
        honorific=row.honorific,
        organization=row.organization,
        organization_key=row.organization_key,
        appearances=[a for a in all_appearances if a.witness_id == witness_id],
        organizations=spans,
    )


@dataclass
class WitnessSummary:
    witness_id: str
    name: str
    organization: str | None
    organization_key: str
    appearance_count: int
    last_appearance: Start | None

    def as_json(self) -> dict[str, Any]:
        return {
            "witness_id": self.witness_id,
            "name": self.name,
            "organization": self.organization,
            "organization_url": organization_path(self.organization_key),
            "appearance_count": self.appearance_count,
            "last_appearance": iso_z(self.last_appearance),
        }


def search_words(query: str) -> list[str]:
    """The words a list search must all find, lowercased, at most eight; each is matched as a
    literal substring. A query of punctuation alone ("%") is one word, so it finds only the names
    that hold it rather than every name."""
    words = re.findall(r"\w+", query.lower())
    if not words and query.strip():
        words = [query.strip().lower()]
    return words[:8]


def list_witnesses(
    connection: Connection,
    *,
    q: str | None,
    limit: int,
    offset: int,
    congresses: Sequence[int] | None = None,
) -> tuple[int, list[WitnessSummary]]:
    """Witnesses whose name or organization contains every word of `q` (and, with
    `congresses`, who appeared in those Congresses, their appearances there counted), by last
    name; appearance counts are computed for the page only."""
    witnesses, appearances = schema.witnesses, schema.witness_appearances
    in_congresses = (
        [hearings.c.congress.in_(sorted(set(congresses)))] if congresses is not None else []
    )
    clauses: list[ColumnElement[bool]] = []
    if congresses is not None:
        clauses.append(
            witnesses.c.witness_id.in_(
                select(appearances.c.witness_id)
                .join(hearings, hearings.c.event_id == appearances.c.event_id)
                .where(*in_congresses)
            )
        )
    for word in search_words(q or ""):
        clauses.append(
            or_(
                witnesses.c.normalized_name.contains(word, autoescape=True),
                witnesses.c.organization_key.contains(word, autoescape=True),
            )
        )
    total = int(
        connection.execute(select(func.count()).select_from(witnesses).where(*clauses)).scalar_one()
    )
    rows = connection.execute(
        select(
            witnesses.c.witness_id,
            witnesses.c.display_name,
            witnesses.c.organization,
            witnesses.c.organization_key,
        )
        .where(*clauses)
        # By last name, as people look them up; first name and organisation break ties. In
        # code-point order on both backends: PostgreSQL's collation skips apostrophes, so
        # O'Malley and Okon came out the other way round there.
        .order_by(
            *(
                in_binary_order(key, connection.dialect.name)
                for key in (
                    func.lower(
                        func.coalesce(
                            func.nullif(witnesses.c.last_name, ""), witnesses.c.display_name
                        )
                    ),
                    func.lower(func.coalesce(witnesses.c.first_name, "")),
                    witnesses.c.organization_key,
                    witnesses.c.witness_id,
                )
            )
        )
        .limit(limit)
        .offset(offset)
    ).all()
    ids = [r.witness_id for r in rows]
    counts: dict[str, tuple[int, Start | None]] = {}
    if ids:
        start, day_only = hearings.c.start_at, hearings.c.start_date_only
        for r in connection.execute(
            select(
                appearances.c.witness_id,
                func.count(),
                func.max(start),
                # The latest start of a day without a time, and of a moment: the last appearance
                # is a day only when no moment ties it.
                func.max(case((day_only, start))),
                func.max(case((~day_only, start))),
            )
            .join(hearings, hearings.c.event_id == appearances.c.event_id)
            .where(appearances.c.witness_id.in_(ids), *in_congresses)
            .group_by(appearances.c.witness_id)
        ):
            last, last_day, last_moment = r[2], r[3], r[4]
            counts[r[0]] = (int(r[1]), shown_start(last, last == last_day != last_moment))
    return total, [
        WitnessSummary(
            r.witness_id,
            r.display_name,
            r.organization,
            r.organization_key,
            counts.get(r.witness_id, (0, None))[0],
            counts.get(r.witness_id, (0, None))[1],
        )
        for r in rows
    ]
