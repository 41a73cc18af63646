"""A first `hearings init` or import killed while it makes the schema leaves an empty SQLite file:
the migration is one transaction, rolled back. `hearings verify` says what that is and what to
run, and the next command that writes makes the whole schema (the next run completes the work)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from tests.store.conftest import Site


def killed_first_migration(database: Path) -> None:
    """What a kill -9 in the first migration's transaction leaves: a file in WAL mode, no table."""
    connection = sqlite3.connect(database)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.close()


def test_verify_names_a_killed_first_migration_and_init_completes_it(tmp_path: Path) -> None:
    site = Site(tmp_path, tmp_path / "hearings.db")
    killed_first_migration(site.database)

    verified = site.cli("verify")

    assert verified.returncode == 1
    said = " ".join(verified.stdout.split())
    assert (
        "schema: The database holds no hearings tables yet (a first `hearings init` or import "
        "stopped before it made them, or none has run); run `hearings init` to make them." in said
    )
    assert site.cli("init").returncode == 0
    assert site.cli("verify").returncode == 0
