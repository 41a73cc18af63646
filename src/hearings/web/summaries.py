"""One page of meetings as lists show them: the row of each meeting, its committees (a
subcommittee named with its parent) and witness count, and, for a search, how it matched."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup
from sqlalchemy import Connection, Row

from hearings.store.meeting_record import (
    LIST_PARTS,
    MEETING_COLUMNS,
    Meeting,
    meeting_of_row,
    with_parts,
)
from hearings.web.committee_names import committee_label
from hearings.web.filters import HearingFilters
from hearings.web.snippets import Marks

# The columns a result row needs: those of the meeting's read model.
SUMMARY_COLUMNS = MEETING_COLUMNS


@dataclass
class HearingSummary:
    """A meeting as lists show it: the read model, its committees as (code, label) with a
    subcommittee named with its parent, and, for a search, how it matched. The record's fields
    (`title`, `start_at`, `witness_count`…) read through, so templates and feeds name them as
    the record does and a new field needs no line here."""

    meeting: Meeting
    committees: list[tuple[str, str | None]] = field(default_factory=list)
    title_html: Markup | None = None
    snippet_html: Markup | None = None
    snippet_text: str | None = None
    matched_in: list[str] = field(default_factory=list)

    def __getattr__(self, name: str) -> Any:
        # Only called for names the summary lacks. The guard keeps copy, pickle and a half-built
        # summary from recursing.
        if name.startswith("__") or name == "meeting":
            raise AttributeError(name)
        return getattr(self.meeting, name)


@dataclass
class HearingPage:
    filters: HearingFilters
    rows: list[HearingSummary]
    total: int
    sort: str
    # The phrases searched as well as the words typed ("Government Accountability Office").
    also_searched: list[str] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.filters.per_page))

    @property
    def has_next(self) -> bool:
        return self.filters.page < self.pages

    @property
    def first_index(self) -> int:
        return self.filters.offset + 1 if self.rows else 0

    @property
    def last_index(self) -> int:
        return self.filters.offset + len(self.rows)


def summary(row: Row[Any], marks: Marks | None = None) -> HearingSummary:
    """The summary of a row holding SUMMARY_COLUMNS (its parts come with `attach_children`)."""
    found = HearingSummary(meeting_of_row(row))
    if marks is not None:
        found.title_html = marks.title_html
        found.snippet_html = marks.snippet_html
        found.snippet_text = marks.snippet_text
        found.matched_in = [m.field for m in marks.matches]
    return found


def attach_children(connection: Connection, summaries: Sequence[HearingSummary]) -> None:
    """Committees and witnesses for a page of results, one query each."""
    meetings = with_parts(connection, [s.meeting for s in summaries], LIST_PARTS)
    for found, meeting in zip(summaries, meetings, strict=True):
        found.meeting = meeting
        # A subcommittee is named with its parent everywhere a list names it.
        found.committees = [
            (c.system_code, committee_label(c.name, c.system_code, c.parent_name))
            for c in meeting.committees
            if c.known
        ]
