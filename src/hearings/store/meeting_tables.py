"""Many meetings' rows gathered table by table, each row a tuple in its table's column order, with
each meeting's index row: the form a rebuild's parsing workers ship what they parsed in (a few
lists of tuples pickle and unpickle at a fraction of the cost of a dict per row), and that
`write_new_meetings` writes with one statement per table."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table

from hearings.store import schema
from hearings.store.bulk import insert_tuples, tuple_getter, upsert_tuples_sqlite
from hearings.store.records import MeetingRows, Row
from hearings.store.search_documents import (
    TEXT_COLUMNS,
    Assumed,
    IndexNames,
    assumed_names,
    document_from,
)
from hearings.store.search_index import insert_index_rows, refresh_search_index
from hearings.store.writer import ensure_committees, insert_ignore

# Each table a meeting writes, parents before the rows that refer to them, and its rows.
MEETING_TABLES: dict[str, Callable[[MeetingRows], list[Row]]] = {
    "hearings": lambda rows: [rows.hearing],
    "witnesses": lambda rows: rows.witnesses,
    "bills": lambda rows: rows.bills,
    "hearing_committees": lambda rows: rows.committees,
    "witness_appearances": lambda rows: rows.appearances,
    "witness_documents": lambda rows: rows.witness_documents,
    "meeting_documents": lambda rows: rows.meeting_documents,
    "videos": lambda rows: rows.videos,
    "hearing_bills": lambda rows: rows.hearing_bills,
    "hearing_transcripts": lambda rows: rows.transcripts,
}
_KEPT_TIMES = ("first_seen_at", "last_changed_at")


@dataclass
class MeetingTables:
    """The rows of some meetings, by table, with their index rows (`event_id` and the texts of
    `TEXT_COLUMNS`) and the names those took from the meetings' own rows (see `assumed_names`)."""

    columns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    committee_refs: list[Row] = field(default_factory=list)
    index_rows: list[tuple[str, ...]] = field(default_factory=list)
    assumed: dict[str, list[Assumed]] = field(default_factory=dict)
    # Each table's row-to-tuple function (not shipped: a worker's own).
    _values: dict[str, Callable[[Row], tuple[Any, ...]]] = field(
        default_factory=dict, repr=False, compare=False
    )

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_values"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state, _values={})

    def __len__(self) -> int:
        return len(self.rows.get("hearings", ()))

    def add(self, meeting: MeetingRows, names: IndexNames) -> None:
        for table, rows_of in MEETING_TABLES.items():
            rows = rows_of(meeting)
            if not rows:
                continue
            values = self._values.get(table)
            if values is None:
                columns = self.columns.setdefault(table, tuple(rows[0]))
                values = self._values[table] = tuple_getter(columns)
                self.rows.setdefault(table, [])
            self.rows[table] += map(values, rows)
        self.committee_refs += meeting.committee_refs
        document = document_from(meeting, names)
        self.index_rows.append((document["event_id"], *(document[c] for c in TEXT_COLUMNS)))
        assumed = assumed_names(meeting, names)
        if assumed:
            self.assumed[meeting.event_id] = assumed

    def extend(self, other: MeetingTables) -> None:
        for table, rows in other.rows.items():
            if self.columns.setdefault(table, other.columns[table]) != other.columns[table]:
                raise ValueError(f"{table} rows come with different columns")
            self.rows.setdefault(table, []).extend(rows)
        self.committee_refs += other.committee_refs
        self.index_rows += other.index_rows
        self.assumed.update(other.assumed)

    def keep_times(self, kept: Mapping[str, tuple[datetime, datetime]]) -> None:
        """Give each meeting in `kept` its stored first-seen and last-changed times."""
        if not kept or "hearings" not in self.rows:
            return
        columns = self.columns["hearings"]
        event_id = columns.index("event_id")
        first, last = (columns.index(c) for c in _KEPT_TIMES)
        restamped = []
        for row in self.rows["hearings"]:
            times = kept.get(row[event_id])
            if times is not None:
                values = list(row)
                values[first], values[last] = times
                row = tuple(values)
            restamped.append(row)
        self.rows["hearings"] = restamped


def write_new_meetings(
    connection: Connection,
    tables: MeetingTables,
    now: datetime,
    first_names: dict[tuple[str, str], str | None],
) -> None:
    """Write meetings the database does not hold yet (into a rebuild's emptied tables) with their
    index rows, in the caller's transaction. `first_names` carries from call to call the name
    each witness and placeholder committee was first written with: a meeting whose index row
    assumed another has it rebuilt from the tables."""
    ensure_committees(connection, tables.committee_refs, now)
    for name in MEETING_TABLES:  # parents first, whatever order the tables first came in
        if name not in tables.columns:
            continue
        table, columns = schema.metadata.tables[name], tables.columns[name]
        if name in _SHARED:
            _insert_ignoring(connection, table, columns, tables.rows[name], _SHARED[name])
        else:
            insert_tuples(connection, table, columns, tables.rows[name])
    insert_index_rows(connection, tables.index_rows)
    stale = [
        event_id
        for event_id, assumed in tables.assumed.items()
        # A list, not a generator: every name is recorded, not just those up to the first that
        # differs.
        if any([first_names.setdefault((kind, key), name) != name for kind, key, name in assumed])
    ]
    if stale:
        refresh_search_index(connection, stale)


# Rows several meetings share: the first written stays.
_SHARED = {"witnesses": "witness_id", "bills": "bill_id"}


def _insert_ignoring(
    connection: Connection,
    table: Table,
    columns: tuple[str, ...],
    rows: list[tuple[Any, ...]],
    key: str,
) -> None:
    if connection.dialect.name == "sqlite" and upsert_tuples_sqlite(
        connection, table, columns, rows, key=[key], updated=()
    ):
        return
    insert_ignore(connection, table, [dict(zip(columns, r, strict=True)) for r in rows], [key])
