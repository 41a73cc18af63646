"""The prebuilt-statement path writes exactly what SQLAlchemy's own path writes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import create_engine, insert, select, text

from hearings.store import schema
from hearings.store.bulk import _converters, insert_tuples

_COLUMNS = ("system_code", "update_date", "first_seen_at", "last_changed_at")


def _sqlalchemy_text(moment: datetime) -> str:
    engine = create_engine("sqlite://")
    processor = schema.hearings.c.first_seen_at.type.dialect_impl(engine.dialect).bind_processor(
        engine.dialect
    )
    assert processor is not None
    return str(processor(moment))


@given(
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59))
    | st.datetimes(timezones=st.just(UTC))
    | st.datetimes(timezones=st.just(timezone(timedelta(hours=-5))))
)
@settings(max_examples=300, deadline=None)
def test_a_date_time_converts_to_sqlalchemys_own_text(moment: datetime) -> None:
    engine = create_engine("sqlite://")
    convert = _converters(schema.hearings, ("first_seen_at",), engine.dialect)[0]
    assert convert is not None
    assert convert(moment) == _sqlalchemy_text(moment)


def test_rows_written_as_tuples_read_back_as_sqlalchemy_wrote_them(tmp_path: Path) -> None:
    moments = [datetime(2025, 5, 22, 14, 30), datetime(999, 1, 2, 3, 4, 5, 6)]
    engines = {}
    for way in ("tuples", "sqlalchemy"):
        engine = create_engine(f"sqlite:///{tmp_path / way}.db")
        schema.metadata.create_all(engine, tables=[schema.committees])
        engines[way] = engine
        rows = [(f"c{n}", None, m, m) for n, m in enumerate(moments)]
        with engine.begin() as connection:
            if way == "tuples":
                insert_tuples(connection, schema.committees, _COLUMNS, rows)
            else:
                connection.execute(
                    insert(schema.committees), [dict(zip(_COLUMNS, r, strict=True)) for r in rows]
                )
    stored = {}
    for way, engine in engines.items():
        with engine.connect() as connection:
            stored[way] = connection.execute(
                text("SELECT * FROM committees ORDER BY system_code")
            ).all()
            parsed = connection.execute(
                select(schema.committees.c.first_seen_at).order_by(schema.committees.c.system_code)
            ).scalars()
            assert list(parsed) == moments
    assert stored["tuples"] == stored["sqlalchemy"]
    assert "2025-05-22 14:30:00.000000" in stored["tuples"][0]
