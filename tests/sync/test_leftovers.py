"""A restore or a rebuild killed part-way leaves a hidden file as large as the database beside it
(the staged copy, the shadow). The next command that takes the writer lock removes it, so a kill
never leaves a file behind that nothing mentions or ever deletes."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import pytest

from tests.backends import backup_files
from tests.sync.harness import Harness

pytestmark = pytest.mark.imported


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """SQLite alone: PostgreSQL stages nothing beside the database (its restore and its rebuild
    are transactions of the server)."""
    return f"sqlite:///{tmp_path / 'hearings.db'}"


def hidden_beside_the_database(harness: Harness) -> list[str]:
    return sorted(p.name for p in harness.tmp_path.iterdir() if p.name.startswith(".hearings.db"))


@pytest.mark.parametrize("next_run", ["update", "restore"])
def test_the_copy_a_killed_restore_staged_is_removed_by_the_next_run(
    harness: Harness, next_run: str
) -> None:
    assert harness.cli("backup", "create").returncode == 0
    backup = str(backup_files(harness.tmp_path / "backups")[-1])
    killed = harness.cli(
        "backup", "restore", backup, own_process=True, HEARINGS_FAILPOINT="restore_staged"
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    staged = hidden_beside_the_database(harness)
    assert [name.startswith(".hearings.db.restore-") for name in staged] == [True]

    command = ("update", "--congress", "119") if next_run == "update" else ("backup", "restore")
    done = harness.cli(*command, *([backup] if next_run == "restore" else []))

    assert done.returncode == 0, done.stderr
    assert hidden_beside_the_database(harness) == []


def test_the_shadow_of_a_killed_rebuild_is_removed_by_the_next_update(harness: Harness) -> None:
    for engine in harness.engines:
        engine.dispose()
    killed = harness.cli("rebuild", own_process=True, HEARINGS_FAILPOINT="rebuild_built")
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert any(n.startswith(".hearings.db.rebuild-") for n in hidden_beside_the_database(harness))

    update = harness.cli("update", "--congress", "119")

    assert update.returncode == 0, update.stderr
    assert hidden_beside_the_database(harness) == []
    assert "Removed what an interrupted restore or rebuild left" in update.stderr


def test_a_restore_killed_just_before_its_swap_keeps_no_earlier_database(
    harness: Harness,
) -> None:
    """Killed after the database was set aside (a hard link) and before the swap: the
    `.replaced-` name is the database itself, which status must not offer as an earlier one."""
    assert harness.cli("backup", "create").returncode == 0
    backup = str(backup_files(harness.tmp_path / "backups")[-1])
    killed = harness.cli(
        "backup", "restore", backup, own_process=True, HEARINGS_FAILPOINT="database_set_aside"
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    second_names = list(harness.tmp_path.glob("hearings.db.replaced-*"))
    assert second_names and all(p.samefile(harness.tmp_path / "hearings.db") for p in second_names)

    status = json.loads(harness.cli("status", "--json").stdout)
    assert status["set_aside"] == []

    assert harness.cli("update", "--congress", "119").returncode == 0
    assert list(harness.tmp_path.glob("hearings.db.replaced-*")) == []
