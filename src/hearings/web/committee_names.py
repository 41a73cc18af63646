"""Committee names as a reader needs them: a subcommittee always with its parent, because
"Health Subcommittee" or "Oversight and Investigations Subcommittee" exist under several."""

from __future__ import annotations

import re

from sqlalchemy import Connection, select

from hearings.store import schema

_COMMITTEE_ON = re.compile(r"^(?:house |senate |joint )?committee on (?:the )?", re.IGNORECASE)
_SUFFIX = re.compile(r"\s+committee$", re.IGNORECASE)
_PARENTHESIS = re.compile(r"\s*\([^)]*\)")


def short_name(name: str) -> str:
    """ "Energy and Commerce Committee" -> "Energy and Commerce";
    "Intelligence (Permanent Select) Committee" -> "Intelligence"."""
    bare = _PARENTHESIS.sub("", name).strip()
    bare = _SUFFIX.sub("", _COMMITTEE_ON.sub("", bare)).strip()
    return bare or name


def committee_label(name: str | None, code: str, parent_name: str | None) -> str:
    """ "Health Subcommittee (Energy and Commerce)", or the committee's own name."""
    own = name or code
    if not parent_name:
        return own
    return f"{own} ({short_name(parent_name)})"


def committee_labels(connection: Connection, codes: list[str]) -> dict[str, str]:
    """The label of each committee in `codes`, in one query."""
    if not codes:
        return {}
    committees = schema.committees
    parents = committees.alias("parents")
    rows = connection.execute(
        select(committees.c.system_code, committees.c.name, parents.c.name.label("parent_name"))
        .outerjoin(parents, parents.c.system_code == committees.c.parent_code)
        .where(committees.c.system_code.in_(sorted(set(codes))))
    )
    return {r.system_code: committee_label(r.name, r.system_code, r.parent_name) for r in rows}
