"""The search index's bulk-load settings (`merges_deferred`) on a real SQLite database."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import pytest
from sqlalchemy import Connection

from hearings.store.engine import open_database
from hearings.store.search_index import merges_deferred


def _config(connection: Connection) -> list[tuple[object, ...]]:
    rows = connection.exec_driver_sql("SELECT k, v FROM hearing_search_config ORDER BY k")
    return [tuple(row) for row in rows]


def test_ctrl_c_in_the_middle_of_a_load_is_an_interrupt_and_the_settings_roll_back(
    tmp_path: Path,
) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'hearings.db'}")
    with engine.connect() as connection:
        before = _config(connection)
    # Enough rows that SQLite is still writing them when Ctrl-C comes: Python raises it as the
    # statement returns, where SQLAlchemy gives the connection up until it is rolled back.
    rows = [(n, str(n), f"a title {n}") for n in range(1, 400_001)]
    writing = threading.Event()

    def ctrl_c() -> None:
        writing.wait(30)
        threading.Event().wait(0.05)
        os.kill(os.getpid(), signal.SIGINT)

    sender = threading.Thread(target=ctrl_c)
    sender.start()
    try:
        with (
            pytest.raises(KeyboardInterrupt),
            engine.connect() as connection,
            connection.begin(),
            merges_deferred(connection),
        ):
            writing.set()
            connection.exec_driver_sql(
                "INSERT INTO hearing_search (rowid, event_id, title) VALUES (?, ?, ?)", rows
            )
    finally:
        sender.join()

    with engine.connect() as connection:
        assert _config(connection) == before
        assert connection.exec_driver_sql("SELECT count(*) FROM hearing_search").scalar() == 0
    engine.dispose()
