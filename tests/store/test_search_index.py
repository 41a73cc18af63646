"""The search index's bulk-load settings (`merges_deferred`) on a real SQLite database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection

from hearings.store.opening import open_database
from hearings.store.search_index import merges_deferred


def _config(connection: Connection) -> list[tuple[object, ...]]:
    rows = connection.exec_driver_sql("SELECT k, v FROM hearing_search_config ORDER BY k")
    return [tuple(row) for row in rows]


class _CtrlCHalfWay(list[tuple[Any, ...]]):
    """Rows that end in KeyboardInterrupt half-way through, from inside the driver's
    executemany, as Ctrl-C does when it lands while SQLite writes them: SQLAlchemy then gives
    the connection up until it is rolled back. (A real SIGINT lands there only by timing.)"""

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        for number, row in enumerate(super().__iter__()):
            if number == len(self) // 2:
                raise KeyboardInterrupt
            yield row


def test_ctrl_c_in_the_middle_of_a_load_is_an_interrupt_and_the_settings_roll_back(
    tmp_path: Path,
) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'hearings.db'}")
    with engine.connect() as connection:
        before = _config(connection)
    rows = _CtrlCHalfWay((n, str(n), f"a title {n}") for n in range(1, 1_001))

    with (
        pytest.raises(KeyboardInterrupt),
        engine.connect() as connection,
        connection.begin(),
        merges_deferred(connection),
    ):
        connection.exec_driver_sql(
            "INSERT INTO hearing_search (rowid, event_id, title) VALUES (?, ?, ?)", rows
        )

    with engine.connect() as connection:
        assert _config(connection) == before
        assert connection.exec_driver_sql("SELECT count(*) FROM hearing_search").scalar() == 0
    engine.dispose()
