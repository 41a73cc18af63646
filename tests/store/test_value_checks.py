"""The `values` and `shapes` checks let SQLite tell which stored values could be wrong and read
only those in Python. Their findings are the old checks' (`value_checks_oracle`, which read every
value), count, order and sentences alike, whatever is planted in a real database: bytes that are
not UTF-8, dates out of range or in other forms, JSON of other shapes, numbers as text."""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import (
    JSON,
    Boolean,
    Connection,
    DateTime,
    Float,
    Integer,
    LargeBinary,
    Table,
    create_engine,
    insert,
)

from hearings.store import schema, stored_values
from hearings.store.json_shapes import SHAPES, misshapen_values
from hearings.store.stored_values import unreadable_values
from tests.store import value_checks_oracle as oracle

# Tables the checks read (those with a primary key), and their rows in the sound database.
TABLES = [table for table in schema.metadata.sorted_tables if table.primary_key.columns]
ROWS = 3
SOUND_MOMENTS = [
    datetime(2024, 1, 31, 10),
    datetime(2024, 2, 29),
    datetime(2023, 12, 31, 23, 59, 59, 999_999),
]


def _sound(table: Table, row: int) -> dict[str, Any]:
    """A row as hearings writes it; `row` keeps keys and unique values apart."""
    values: dict[str, Any] = {}
    for column in table.columns:
        kind = column.type
        if isinstance(kind, JSON):
            items = SHAPES[(table.name, column.name)].items
            values[column.name] = {None: {"a": row}, str: [f"é{row}"], dict: [{"b": "c"}]}[items]
        elif isinstance(kind, DateTime):
            # Days past the 28th, and the last microsecond of a year: sound, if not common.
            values[column.name] = SOUND_MOMENTS[row]
        elif isinstance(kind, Boolean):
            values[column.name] = row % 2 == 0
        elif isinstance(kind, Integer | Float):
            values[column.name] = row
        elif isinstance(kind, LargeBinary):
            values[column.name] = b"\xff\x00payload"
        else:
            values[column.name] = f"Café “{row}” {column.name}"
    return values


@pytest.fixture(scope="module")
def sound_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database at today's schema with a few sound rows in every table."""
    path = tmp_path_factory.mktemp("values") / "sound.db"
    engine = create_engine(f"sqlite:///{path}")
    schema.metadata.create_all(engine)
    with engine.begin() as connection:
        for table in TABLES:
            connection.execute(insert(table), [_sound(table, row) for row in range(ROWS)])
    engine.dispose()
    return path


def _canonical_form(parts: tuple[int, ...]) -> str:
    year, month, day, hour, minute, second, micro = parts
    return f"{year:04d}-{month:02d}-{day:02d} {hour:02d}:{minute:02d}:{second:02d}.{micro:06d}"


# The stored text form of a date-time, with each part in or out of its range.
canonical_forms = st.tuples(
    st.sampled_from([0, 1, 1900, 2000, 2023, 2024, 9999]),
    st.integers(0, 13),
    st.integers(0, 32),
    st.integers(0, 25),
    st.integers(0, 60),
    st.integers(0, 61),
    st.sampled_from([0, 1, 499_999, 999_999]),
).map(_canonical_form)

other_forms = st.datetimes(min_value=datetime(1, 1, 1)).flatmap(
    lambda moment: st.sampled_from(
        [
            moment.isoformat(),
            moment.isoformat(" ", "seconds"),
            moment.date().isoformat(),
            moment.isoformat() + "+05:00",
            moment.strftime("%m/%d/%Y"),
            moment.isoformat(" ") + "\x00",
            " " + moment.isoformat(" "),
        ]
    )
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=6,
)

json_texts = st.one_of(
    json_values.map(lambda value: json.dumps(value)),
    json_values.map(lambda value: json.dumps(value, ensure_ascii=False, indent=1)),
    st.sampled_from(
        [
            "{not json",
            "[1,]",
            "[1]\x00x",
            '["a\x01b"]',
            "\ufeff[]",
            "['a']",
            "[" + "1" * 4_400 + "]",
            "[" * 600 + "]" * 600,
            '{"a": 1, "a": 2}',
            '["\\ud800"]',
            "null",
            " [] ",
        ]
    ),
)

texts = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)

# A stored value: text, bytes stored as a BLOB or as text (SQLite checks no encoding), numbers.
stored = st.one_of(
    texts,
    st.binary(max_size=8).map(lambda raw: ("blob", raw)),
    st.binary(max_size=8).map(lambda raw: ("text", raw)),
    st.integers(-(2**63), 2**63 - 1),
    st.floats(allow_nan=False),
    st.sampled_from(["12", "1.5", " 7", "many", "1e5"]),
    canonical_forms,
    other_forms,
    json_texts,
    json_texts.map(lambda text: ("text", text.encode() + b"\xff")),
)

plantings = st.lists(
    st.tuples(
        st.sampled_from(TABLES).flatmap(
            lambda table: st.tuples(st.just(table.name), st.sampled_from(list(table.columns)))
        ),
        st.integers(1, ROWS),
        stored,
    ),
    min_size=1,
    max_size=8,
)


def _plant(path: Path, planted: list[tuple[tuple[str, Any], int, Any]]) -> None:
    connection = sqlite3.connect(path, isolation_level=None, timeout=0)
    try:
        for (table, column), rowid, value in planted:
            how = "?"
            if isinstance(value, tuple):
                kind, value = value
                how = "CAST(? AS TEXT)" if kind == "text" else "?"
                value = value.encode() if isinstance(value, str) else value
            # Names from the schema. A key or unique value planted twice: the row keeps its own.
            with contextlib.suppress(sqlite3.IntegrityError):
                connection.execute(
                    f'UPDATE "{table}" SET "{column.name}" = {how} WHERE rowid = ?',  # noqa: S608
                    (value, rowid),
                )
    finally:
        connection.close()


def _outcome(check: Callable[[Connection], tuple[int, list[str]]], url: str) -> Any:
    """What `check` finds, or the error it stops with (a value that stops both is the same)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return check(connection)
    except Exception as exc:  # the kind of failure is what is compared
        return type(exc).__name__
    finally:
        engine.dispose()


@pytest.fixture
def folder(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path


@settings(
    max_examples=100,
    deadline=None,
    phases=[Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(planted=plantings, chunk=st.sampled_from([1, 2, 10_000]))
def test_the_findings_are_the_old_checks(
    sound_database: Path,
    folder: Path,
    planted: list[tuple[tuple[str, Any], int, Any]],
    chunk: int,
) -> None:
    # A file of its own: an example whose check stopped on an error may leave its file open.
    path = folder / f"planted-{len(list(folder.iterdir()))}.db"
    path.write_bytes(sound_database.read_bytes())
    _plant(path, planted)
    url = f"sqlite:///{path}"
    # A table is read a chunk of rows at a time: small chunks put damage on every boundary.
    with patch.object(stored_values, "_CHUNK", chunk):
        found = _outcome(unreadable_values, url)
    assert found == _outcome(oracle.unreadable_values, url)
    if found == (0, []):
        # Shapes are read only in a database whose values read back (verify, a restore and the
        # failure sentences all check values first): the old check failed on text not UTF-8 in
        # any row it read, the new one reads fewer rows.
        assert _outcome(misshapen_values, url) == _outcome(oracle.misshapen_values, url)


def test_a_sound_database_has_no_finding(sound_database: Path, folder: Path) -> None:
    path = folder / "sound.db"
    path.write_bytes(sound_database.read_bytes())
    url = f"sqlite:///{path}"
    assert _outcome(unreadable_values, url) == (0, []) == _outcome(oracle.unreadable_values, url)
    assert _outcome(misshapen_values, url) == (0, []) == _outcome(oracle.misshapen_values, url)


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ("2024-13-01 00:00:00.000000", "month must be in 1..12"),
        ("2023-02-29 00:00:00.000000", "day is out of range for month"),
        ("0000-01-01 00:00:00.000000", "year 0 is out of range"),
        ("2024-01-01 24:00:00.000000", "hour must be in 0..23"),
        # SQLAlchemy's reading stops at the NUL, as SQLite's GLOB does: no problem to either.
        ("2024-01-01 00:00:00.000000\x00x", None),
        (("text", b"2024-01-01 00:00:00.00000\xff"), "not UTF-8 text"),
    ],
)
def test_a_date_time_of_the_stored_form_is_still_read(
    sound_database: Path, folder: Path, value: Any, problem: str | None
) -> None:
    """What a GLOB of the stored form cannot tell: a month 13, Feb 29 of a common year, year 0,
    text after a NUL, bytes that are not UTF-8."""
    path = folder / "dates.db"
    path.write_bytes(sound_database.read_bytes())
    _plant(path, [(("hearings", schema.hearings.c.start_at), 2, value)])
    url = f"sqlite:///{path}"
    count, named = _outcome(unreadable_values, url)
    assert (count, named) == _outcome(oracle.unreadable_values, url)
    if problem is None:
        assert count == 0
    else:
        assert count == 1 and named[0].startswith("hearings.start_at of ")
        assert f"({problem}" in named[0]
