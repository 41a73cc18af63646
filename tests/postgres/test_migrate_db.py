"""`hearings migrate-db` copies a whole database across backends: SQLite → PostgreSQL → SQLite
keeps every row (counts verified) and every export byte, and the copy keeps working."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from hearings.reports.export import export_to_string
from hearings.store.copy import table_counts
from hearings.store.opening import open_database
from tests.sync.harness import Harness, day_of_changes

pytestmark = pytest.mark.postgres

ENTITIES = ("hearings", "witnesses", "committees", "members", "appearances")


def contents(database_url: str) -> tuple[dict[str, int], dict[str, str], list[tuple[str, ...]]]:
    """Row counts, every export, and the JSON columns as stored text."""
    engine = open_database(database_url)
    try:
        with engine.connect() as connection:
            counts = table_counts(connection)
            json_text = [
                tuple(row)
                for row in connection.execute(
                    text(
                        "SELECT identifier, CAST(locator AS TEXT), CAST(metrics AS TEXT) "
                        "FROM import_errors JOIN update_logs ON run_id = attempts "
                        "ORDER BY identifier"
                    )
                )
            ]
        return counts, {e: export_to_string(engine, e) for e in ENTITIES}, json_text
    finally:
        engine.dispose()


def test_sqlite_to_postgres_and_back_keeps_every_row_and_byte(
    on_sqlite: Harness, postgres_url: str, tmp_path: Path
) -> None:
    harness = on_sqlite
    assert harness.run("import").success
    day_of_changes(harness.corpus, datetime.now(UTC))
    assert harness.run("update").exit_code == 3  # with quarantined records and their payloads
    original = contents(harness.database_url)
    assert original[0]["import_errors"] == 2 and original[0]["batch_checkpoints"] > 0
    back_url = f"sqlite:///{tmp_path / 'back.db'}"

    there = harness.cli("migrate-db", "--from", harness.database_url, "--to", postgres_url)
    assert there.returncode == 0, there.stderr
    assert "every table's count matches" in " ".join(there.stdout.split())
    back = harness.cli("migrate-db", "--from", postgres_url, "--to", back_url)
    assert back.returncode == 0, back.stderr

    assert contents(postgres_url) == original
    assert contents(back_url) == original


def test_a_target_with_rows_is_refused_unless_replace(
    on_sqlite: Harness, postgres_url: str
) -> None:
    harness = on_sqlite
    assert harness.run("import").success
    first = harness.cli("migrate-db", "--from", harness.database_url, "--to", postgres_url)
    assert first.returncode == 0, first.stderr

    refused = harness.cli("migrate-db", "--from", harness.database_url, "--to", postgres_url)
    assert refused.returncode == 2
    assert "rerun with --replace" in " ".join(refused.stderr.split())

    replaced = harness.cli(
        "migrate-db", "--from", harness.database_url, "--to", postgres_url, "--replace"
    )
    assert replaced.returncode == 0, replaced.stderr
    assert contents(postgres_url) == contents(harness.database_url)

    # The copy is a working database: ids continue after the copied ones, updates apply.
    on_copy = Harness(harness.tmp_path, postgres_url, harness.replica)
    try:
        day_of_changes(harness.corpus, datetime.now(UTC))
        metrics = on_copy.run("update")
        assert metrics.exit_code == 3 and metrics.run_id == 2 and metrics.hearings_added == 3
        assert harness.run("update").exit_code == 3
        assert on_copy.export() == harness.export()
    finally:
        on_copy.close()
