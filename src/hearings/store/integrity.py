"""What SQLite's `PRAGMA integrity_check` reports, as one clause a one-line sentence can carry."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

# integrity_check stops after this many problems unless given another limit.
DEFAULT_LIMIT = 100


def integrity_problems(rows: Iterable[Sequence[object]]) -> list[str]:
    """Each problem the check reported ([] for "ok"). SQLite puts many problems in one row, a
    line each, under headings like "*** in database main ***", which are not problems."""
    lines = (line.strip() for row in rows for line in str(row[0]).splitlines())
    return [line for line in lines if line and line != "ok" and not line.startswith("***")]


def integrity_summary(problems: Sequence[str], *, limit: int = DEFAULT_LIMIT) -> str:
    """The first problem and how many more: "Page 64: …; and 99 more problems". At the check's
    `limit` SQLite stopped counting, so there may be more than it said."""
    if not problems:
        return "no problem named"
    first, more = problems[0], len(problems) - 1
    if not more:
        return first
    at_least = "at least " if len(problems) >= limit else ""
    return f"{first}; and {at_least}{more} more problem{'s' if more > 1 else ''}"
