"""The backup a SQLite rebuild takes beside its shadow: a copy of the database as it was before
the rebuild, waited for by the swap, and a rebuild whose backup fails or is killed changes
nothing."""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import delete

from hearings.sync.rebuild import DERIVED_TABLES
from tests.sync.harness import Harness
from tests.sync.test_rebuild import exports

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _meetings_in(path: Path) -> int:
    with closing(sqlite3.connect(path)) as connection:
        return int(connection.execute("SELECT count(*) FROM hearings").fetchone()[0])


def _finished_backups(harness: Harness) -> list[Path]:
    folder = harness.tmp_path / "backups"
    return sorted(folder.glob("hearings_backup_*.db")) if folder.exists() else []


def _beside_the_database(harness: Harness) -> list[str]:
    return sorted(p for p in os.listdir(harness.tmp_path) if ".rebuild-" in p or ".replaced-" in p)


@SQLITE_ONLY
@pytest.mark.imported
def test_the_backup_holds_the_database_as_it_was_before_the_rebuild(harness: Harness) -> None:
    # Every derived row gone: the backup, taken while the rebuild writes them again, has none.
    with harness.engine().begin() as connection:
        for table in DERIVED_TABLES:
            connection.execute(delete(table))
    for engine in harness.engines:
        engine.dispose()

    done = harness.cli("rebuild", "--json")

    assert done.returncode == 0, done.stderr
    (backup,) = _finished_backups(harness)
    assert f'"backup": "{backup}"' in done.stdout
    assert _meetings_in(backup) == 0
    assert _meetings_in(harness.tmp_path / "hearings.db") == 150


@SQLITE_ONLY
@pytest.mark.imported
def test_a_backup_killed_beside_the_rebuild_refuses_it_and_changes_nothing(
    harness: Harness,
) -> None:
    before = exports(harness)
    for engine in harness.engines:
        engine.dispose()

    # The failpoint is inside the backup's copy, in the process that takes it.
    done = harness.cli("rebuild", own_process=True, HEARINGS_FAILPOINT="backup_copied")

    assert done.returncode == 1, done.stderr
    assert (
        "Error: The backup taken before the rebuild was stopped before it finished, so "
        f"{harness.tmp_path / 'hearings.db'} was not changed; run the rebuild again."
    ) in " ".join(done.stderr.split())
    assert "Traceback" not in done.stderr
    assert exports(harness) == before
    assert _finished_backups(harness) == []
    assert _beside_the_database(harness) == []


@SQLITE_ONLY
@pytest.mark.imported
def test_a_backup_refused_beside_the_rebuild_is_the_backups_own_sentence(
    harness: Harness,
) -> None:
    before = exports(harness)
    for engine in harness.engines:
        engine.dispose()
    not_a_folder = harness.tmp_path / "backups-file"
    not_a_folder.write_text("a file where the backups should go\n")

    done = harness.cli("rebuild", BACKUP_DIR=str(not_a_folder))
    alone = harness.cli("backup", "create", BACKUP_DIR=str(not_a_folder))

    # As `hearings backup create` refuses it, in the same words and with the same exit code.
    assert alone.returncode != 0 and "BACKUP_DIR" in alone.stderr
    assert (done.returncode, done.stderr) == (alone.returncode, alone.stderr)
    assert exports(harness) == before
    assert _beside_the_database(harness) == []
