"""An organization's page: the witnesses who came from it and when (keyed by the normalized
organization name), and the URL segment (slug) that names it."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select

from hearings.store import schema
from hearings.web.entities import AppearanceRow, WitnessSummary, appearances_of, date_span

# A key's slug is the key itself, dashed, up to the longest segment the pages ever accepted, so
# every link that worked keeps working byte for byte. A longer key (a witness's organization is
# untrusted text, 99,000 characters has been seen) gets a readable prefix, a double dash, which no
# dashed key contains, and a hash of the whole key, so two long names sharing a prefix differ.
DIRECT_SLUG_LIMIT = 300
_PREFIX_LENGTH = 100
_HASH_LENGTH = 16
_SLUG_PATTERN = re.compile(rf"[a-z0-9]+(-[a-z0-9]+)*(--[0-9a-f]{{{_HASH_LENGTH}}})?")


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:_HASH_LENGTH]


def organization_slug(key: str) -> str:
    """A normalized organization key ("heritage foundation") as a URL segment of at most
    `DIRECT_SLUG_LIMIT` characters."""
    dashed = key.replace(" ", "-")
    if len(dashed) <= DIRECT_SLUG_LIMIT:
        return dashed
    # Cut at a word's end when that keeps most of the prefix, for a segment people can read.
    head = dashed[: _PREFIX_LENGTH + 1]
    prefix = head.rsplit("-", 1)[0] if "-" in head[_PREFIX_LENGTH // 2 :] else head[:-1]
    return f"{prefix}--{_key_hash(key)}"


def organization_key_of(connection: Connection, slug: str) -> str | None:
    """The organization key `slug` names, or None when it names none."""
    if not _SLUG_PATTERN.fullmatch(slug):
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


@dataclass
class OrganizationDetail:
    key: str
    names: list[str]
    witnesses: list[tuple[WitnessSummary, list[AppearanceRow]]]

    @property
    def name(self) -> str:
        return self.names[0] if self.names else self.key

    def as_json(self) -> dict[str, Any]:
        return {
            "organization_key": self.key,
            "names": self.names,
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
    witnesses = schema.witnesses
    entities = connection.execute(
        select(witnesses)
        .where(witnesses.c.organization_key == key)
        .order_by(witnesses.c.display_name)
        .limit(1000)
    ).all()
    if not entities:
        return None
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
    listed.sort(key=lambda item: (-item[0].appearance_count, item[0].name))
    ordered_names = sorted(names, key=lambda n: (-names[n], n))
    return OrganizationDetail(key, ordered_names, listed)
