"""The databases a SQLite restore or rebuild sets aside (`<db>.replaced-…`, each a full copy) are
kept as backups are: once the new database is in place, those set aside longer ago than
BACKUP_RETENTION_DAYS are deleted, the newest always kept, and the command says which."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.backends import backup_files
from tests.sync.harness import Harness

pytestmark = pytest.mark.imported


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite alone: a PostgreSQL restore or rebuild sets nothing aside beside the database."""
    return f"sqlite:///{tmp_path / 'hearings.db'}"


def set_aside_earlier(harness: Harness, stamp: str) -> Path:
    """A database set aside by an earlier restore, at `stamp`, with the -journal it kept."""
    database = harness.tmp_path / "hearings.db"
    earlier = database.with_name(f"hearings.db.replaced-{stamp}")
    with sqlite3.connect(database) as source, sqlite3.connect(earlier) as target:
        source.backup(target)
    source.close()
    target.close()
    earlier.with_name(earlier.name + "-journal").write_bytes(b"")
    return earlier


def beside_the_database(harness: Harness) -> list[str]:
    return sorted(p.name for p in harness.tmp_path.glob("hearings.db.replaced-*"))


def test_a_restore_deletes_the_databases_set_aside_before_the_retention(
    harness: Harness,
) -> None:
    assert harness.cli("backup", "create").returncode == 0
    backup = str(backup_files(harness.tmp_path / "backups")[-1])
    long_ago = set_aside_earlier(harness, "20200101_000000")
    older_still = set_aside_earlier(harness, "20190101_000000_2")
    recent = set_aside_earlier(harness, "29990101_000000")  # younger than any retention

    restored = harness.cli("backup", "restore", backup, BACKUP_RETENTION_DAYS="7")

    assert restored.returncode == 0, restored.stderr
    words = " ".join(restored.stdout.split())
    assert (
        "Deleted 2 earlier databases set aside beside it, older than BACKUP_RETENTION_DAYS "
        f"(7 days): {long_ago.name}, {older_still.name}" in words
    )
    # Their -journal went with them; the recent one keeps its own, and the restore's is there.
    recent_ones = {recent.name, recent.name + "-journal"}
    (made,) = set(beside_the_database(harness)) - recent_ones
    assert made.startswith("hearings.db.replaced-") and not made.endswith("-journal")


def test_a_rebuild_keeps_only_the_newest_with_no_retention(harness: Harness) -> None:
    first = harness.cli("rebuild", BACKUP_RETENTION_DAYS="0")
    assert first.returncode == 0, first.stderr
    assert "Deleted" not in first.stdout  # the one it set aside is the newest, and kept
    (kept_first,) = beside_the_database(harness)

    second = harness.cli("rebuild", "--json", BACKUP_RETENTION_DAYS="0")

    assert second.returncode == 0, second.stderr
    document = json.loads(second.stdout)
    assert [Path(p).name for p in document["removed"]] == [kept_first]
    assert beside_the_database(harness) == [Path(document["replaced"]).name]


def test_a_refused_restore_deletes_nothing(harness: Harness) -> None:
    long_ago = set_aside_earlier(harness, "20200101_000000")
    set_aside_earlier(harness, "20210101_000000")
    not_a_backup = harness.tmp_path / "notes.db"
    not_a_backup.write_text("not a database")

    refused = harness.cli("backup", "restore", str(not_a_backup), BACKUP_RETENTION_DAYS="0")

    assert refused.returncode == 1
    assert long_ago.name in beside_the_database(harness)
