"""Members of Congress: the list (by last name; a state found by name or postal code) and one
member with the testimony they gave as a witness."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, func, or_, select

from hearings.store import schema
from hearings.web.appearances import AppearanceRow, appearances_of
from hearings.web.entities import search_words
from hearings.web.states import state_in
from hearings.web.timefmt import iso_z
from hearings.witness_names import parse_witness_name


@dataclass
class MemberDetail:
    bioguide_id: str
    name: str | None
    party: str | None
    state: str | None
    district: int | None
    chamber: str | None
    update_date: datetime | None
    testimony: list[AppearanceRow] = field(default_factory=list)

    @property
    def congress_gov_url(self) -> str:
        return f"https://www.congress.gov/member/{self.bioguide_id}"

    def as_json(self) -> dict[str, Any]:
        return {
            "bioguide_id": self.bioguide_id,
            "name": self.name,
            "party": self.party,
            "state": self.state,
            "district": self.district,
            "chamber": self.chamber,
            "update_date": iso_z(self.update_date),
            "congress_gov_url": self.congress_gov_url,
            "witness_appearances": [a.as_json() for a in self.testimony],
        }


def member_chamber(chamber: str | None, district: int | None) -> str | None:
    """ "House" or "Senate": the stored chamber (the latest term's), else the House when the
    member has a district."""
    value = (chamber or "").lower()
    if value.startswith("house"):
        return "House"
    if value.startswith("senate"):
        return "Senate"
    return "House" if district is not None else None


def _member(row: Any) -> MemberDetail:
    return MemberDetail(
        row.bioguide_id,
        row.name,
        row.party,
        row.state,
        row.district,
        member_chamber(row.chamber, row.district),
        row.update_date,
    )


def list_members(
    connection: Connection, *, q: str | None, chamber: str | None, limit: int, offset: int
) -> tuple[int, list[MemberDetail]]:
    """Members matching `q` (a state by name or code, and words of the name), by last name."""
    members = schema.members
    clauses: list[ColumnElement[bool]] = []
    state, rest = state_in(q or "")
    if state is not None:
        name, code = state
        clauses.append(func.lower(members.c.state).in_([name.lower(), code.lower()]))
    for word in search_words(rest):
        clauses.append(
            or_(
                func.lower(members.c.name).contains(word, autoescape=True),
                func.lower(members.c.state).contains(word, autoescape=True),
            )
        )
    if chamber:
        in_chamber: ColumnElement[bool] = func.lower(members.c.chamber).startswith(
            chamber.lower(), autoescape=True
        )
        if chamber.lower() == "house":
            in_chamber = or_(
                in_chamber, and_(members.c.chamber.is_(None), members.c.district.is_not(None))
            )
        clauses.append(in_chamber)
    # Sorted here, not in SQL: the member list often leaves first and last names empty, and the
    # last name then comes from the display name ("Robert B. Aderholt").
    names = connection.execute(
        select(
            members.c.bioguide_id, members.c.name, members.c.first_name, members.c.last_name
        ).where(*clauses)
    ).all()
    ordered = sorted(names, key=_by_last_name)
    page = [r.bioguide_id for r in ordered[offset : offset + limit]]
    found = {
        r.bioguide_id: _member(r)
        for r in connection.execute(select(members).where(members.c.bioguide_id.in_(page)))
    }
    return len(names), [found[b] for b in page if b in found]


def _by_last_name(row: Any) -> tuple[str, str, str]:
    last, first = row.last_name, row.first_name
    if not last and row.name:
        parsed = parse_witness_name(row.name)
        last, first = parsed.last, parsed.first
    return ((last or row.name or "").lower(), (first or "").lower(), row.bioguide_id)


def load_member(connection: Connection, bioguide_id: str) -> MemberDetail | None:
    members = schema.members
    row = connection.execute(select(members).where(members.c.bioguide_id == bioguide_id)).first()
    if row is None:
        return None
    member = _member(row)
    # Members who testify appear as witnesses under their own name; the schema has no other
    # link from a member to a meeting.
    if row.name:
        parsed = parse_witness_name(row.name)
        keys = {parsed.normalized}
        if parsed.first and parsed.last:
            # "Robert B. Aderholt" testifies as "Hon. Robert Aderholt".
            keys.add(parse_witness_name(f"{parsed.first} {parsed.last}").normalized)
        witnesses = schema.witnesses
        ids = list(
            connection.execute(
                select(witnesses.c.witness_id).where(witnesses.c.normalized_name.in_(sorted(keys)))
            ).scalars()
        )
        member.testimony = appearances_of(connection, ids)
    return member
