"""An organization's page: the witnesses who came from it and when (keyed by the normalized
organization name), found from the URL segment (slug) that names it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from hearings.store import schema
from hearings.store.postgres import in_binary_order
from hearings.web.appearances import AppearanceRow, appearances_of, date_span
from hearings.web.entities import WitnessSummary
from hearings.web.organization_slugs import (
    DIRECT_SLUG_LIMIT,
    SLUG_PATTERN,
    organization_path,
    organization_slug,
)


def organization_key_of(connection: Connection, slug: str) -> str | None:
    """The organization key `slug` names, or None when it names none."""
    if not SLUG_PATTERN.fullmatch(slug):
        return None
    if "--" not in slug:
        return slug.replace("-", " ")
    # A hashed slug keeps only the key's prefix: find the keys that start with it, and take the
    # one whose own slug this is (the hash settles which).
    prefix = slug.split("--", 1)[0].replace("-", " ")
    witnesses = schema.witnesses
    candidates = connection.execute(
        select(witnesses.c.organization_key)
        .where(
            witnesses.c.organization_key.startswith(prefix, autoescape=True),
            func.length(witnesses.c.organization_key) > DIRECT_SLUG_LIMIT,
        )
        .distinct()
    ).scalars()
    return next((key for key in candidates if organization_slug(key) == slug), None)


# The witnesses an organization's page lists at most: those with the most appearances.
WITNESS_LIMIT = 1000


@dataclass
class OrganizationDetail:
    key: str
    names: list[str]
    witnesses: list[tuple[WitnessSummary, list[AppearanceRow]]]
    witness_count: int  # all of them, listed or not

    @property
    def name(self) -> str:
        return self.names[0] if self.names else self.key

    def as_json(self) -> dict[str, Any]:
        return {
            "organization_key": self.key,
            "url": organization_path(self.key),
            "names": self.names,
            "witness_count": self.witness_count,
            "witnesses": [
                {**w.as_json(), "appearances": [a.as_json() for a in appearances]}
                for w, appearances in self.witnesses
            ],
        }


def load_organization(connection: Connection, slug: str) -> OrganizationDetail | None:
    """The organization `slug` names, with its witnesses, or None when no witness came from it."""
    key = organization_key_of(connection, slug)
    if not key:
        return None
    witnesses, appearances_table = schema.witnesses, schema.witness_appearances
    dialect = connection.dialect.name
    counted = (
        select(appearances_table.c.witness_id, func.count().label("appearances"))
        .group_by(appearances_table.c.witness_id)
        .subquery()
    )
    # Above the limit, the witnesses with the most appearances, as the page orders them (they
    # were the first 1,000 by name, so a frequent witness named late in the alphabet was left
    # out). Code-point order with the id last, as on SQLite: PostgreSQL's collation would keep
    # other witnesses under the limit, and ties in another order.
    entities = connection.execute(
        select(witnesses)
        .outerjoin(counted, counted.c.witness_id == witnesses.c.witness_id)
        .where(witnesses.c.organization_key == key)
        .order_by(
            func.coalesce(counted.c.appearances, 0).desc(),
            in_binary_order(witnesses.c.display_name, dialect),
            in_binary_order(witnesses.c.witness_id, dialect),
        )
        .limit(WITNESS_LIMIT)
    ).all()
    if not entities:
        return None
    total = len(entities)
    if total == WITNESS_LIMIT:
        total = connection.execute(
            select(func.count()).where(witnesses.c.organization_key == key)
        ).scalar_one()
    appearances = appearances_of(connection, [w.witness_id for w in entities])
    by_witness: dict[str, list[AppearanceRow]] = defaultdict(list)
    names: dict[str, int] = defaultdict(int)
    for a in appearances:
        by_witness[a.witness_id].append(a)
        if a.organization:
            names[a.organization] += 1
    for w in entities:
        if w.organization and w.organization not in names:
            names[w.organization] = 0
    listed = []
    for w in entities:
        mine = by_witness[w.witness_id]
        last = date_span(mine)[1]
        listed.append(
            (
                WitnessSummary(
                    w.witness_id,
                    w.display_name,
                    w.organization,
                    w.organization_key,
                    len(mine),
                    last,
                ),
                mine,
            )
        )
    # Two people can show the same name (a suffix the name drops): the id settles their order.
    listed.sort(key=lambda item: (-item[0].appearance_count, item[0].name, item[0].witness_id))
    ordered_names = sorted(names, key=lambda n: (-names[n], n))
    return OrganizationDetail(key, ordered_names, listed, total)
