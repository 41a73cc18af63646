"""The read model of a meeting (`store.meeting_record`): one record per meeting, built from the
database with one query per part however many meetings are asked for, that every output maps
from. Read against the real imported demo database."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, event, func, select

from hearings.store import schema
from hearings.store.meeting_record import (
    ALL_PARTS,
    LIST_PARTS,
    MEETING_COLUMNS,
    SCALAR_FIELDS,
    Meeting,
    load_meeting,
    load_meetings,
)


@pytest.fixture
def engine(imported_database: Path) -> Iterator[Engine]:
    engine = create_engine(f"sqlite:///{imported_database}")
    yield engine
    engine.dispose()


def _all_meetings(engine: Engine) -> dict[str, Meeting]:
    with engine.connect() as connection:
        ids = connection.execute(select(schema.hearings.c.event_id)).scalars().all()
        return load_meetings(connection, ids)


def _count(engine: Engine, table: Any) -> int:
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def test_every_column_of_a_meeting_is_a_field_of_its_record() -> None:
    # A new column cannot be forgotten by the read model: it must be a field of the same name.
    assert [c.name for c in MEETING_COLUMNS] == [c.name for c in schema.hearings.c]
    # ...and the columns come first, in their order: records are built from rows by position.
    names = [f.name for f in fields(Meeting)]
    assert names[: len(schema.hearings.c)] == [c.name for c in schema.hearings.c]


def test_the_fields_outputs_show_as_values_are_fields_of_the_record() -> None:
    # ...or read from them: `start` is `start_at`, or its Eastern day when no time was given.
    names = {f.name for f in fields(Meeting)} | {"start"}
    assert {f.attribute for f in SCALAR_FIELDS} <= names
    shown = [f.shown_as for f in SCALAR_FIELDS]
    assert len(set(shown)) == len(shown)


def test_records_hold_every_child_row_once(engine: Engine) -> None:
    meetings = _all_meetings(engine)
    assert len(meetings) == _count(engine, schema.hearings) == 160  # the 118th and the 119th
    assert sum(m.witness_count for m in meetings.values()) == _count(
        engine, schema.witness_appearances
    )
    documents = _count(engine, schema.witness_documents) + _count(engine, schema.meeting_documents)
    assert documents > 0
    assert sum(m.document_count for m in meetings.values()) == documents
    assert sum(len(m.committees) for m in meetings.values()) == _count(
        engine, schema.hearing_committees
    )
    assert sum(len(m.videos) for m in meetings.values()) == _count(engine, schema.videos)
    assert sum(len(m.bills) for m in meetings.values()) == _count(engine, schema.hearing_bills)
    with engine.connect() as connection:
        transcripts = connection.execute(
            select(
                schema.hearing_transcripts.c.event_id, schema.hearing_transcripts.c.jacket_number
            )
        ).all()
    for event_id, jacket in transcripts:
        assert jacket in meetings[event_id].jacket_numbers


def test_witness_documents_sit_on_their_witness_in_list_order(engine: Engine) -> None:
    meetings = _all_meetings(engine)
    with engine.connect() as connection:
        linked = connection.execute(
            select(
                schema.witness_documents.c.event_id,
                schema.witness_documents.c.appearance_ordinal,
                schema.witness_documents.c.url,
            )
            .where(schema.witness_documents.c.appearance_ordinal.is_not(None))
            .order_by(schema.witness_documents.c.ordinal)
        ).all()
    assert linked, "the demo data links some documents to witnesses"
    for event_id, ordinal, url in linked:
        (witness,) = [w for w in meetings[event_id].witnesses if w.ordinal == ordinal]
        assert url in [d.url for d in witness.documents]
    for meeting in meetings.values():
        for witness in meeting.witnesses:
            assert witness.ordinal == meeting.witnesses.index(witness)


def test_one_meeting_is_the_same_record_as_in_a_set(engine: Engine) -> None:
    meetings = _all_meetings(engine)
    with engine.connect() as connection:
        for event_id in list(meetings)[:40]:
            assert load_meeting(connection, event_id) == meetings[event_id]
        assert load_meeting(connection, "no-such-meeting") is None


def test_queries_do_not_grow_with_the_number_of_meetings(engine: Engine) -> None:
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    with engine.connect() as connection:
        ids = connection.execute(select(schema.hearings.c.event_id)).scalars().all()
        event.listen(connection, "before_cursor_execute", count)
        load_meetings(connection, ids[:3])
        few = len(statements)
        statements.clear()
        load_meetings(connection, ids)
        # The meetings, then one query per child table (documents: two; printed hearings: those
        # naming the meeting, and those its transcript links name that are not among them).
        bound = 1 + len(ALL_PARTS) + 3
        assert few <= bound and len(statements) <= bound


def test_parts_not_asked_for_stay_empty(engine: Engine) -> None:
    with engine.connect() as connection:
        ids = connection.execute(select(schema.hearings.c.event_id)).scalars().all()
        listed = load_meetings(connection, ids, LIST_PARTS)
        bare = load_meetings(connection, ids, ())
    full = _all_meetings(engine)
    assert any(m.committees and m.witnesses for m in listed.values())
    for event_id, meeting in listed.items():
        assert meeting.committees == full[event_id].committees
        assert [w.name for w in meeting.witnesses] == [w.name for w in full[event_id].witnesses]
        assert meeting.videos == meeting.bills == meeting.printed_hearings == ()
        assert meeting.meeting_documents == ()
        assert bare[event_id].committees == bare[event_id].witnesses == ()
        assert bare[event_id].title == full[event_id].title
