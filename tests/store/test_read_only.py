"""Read-only databases, found out before any work: a file nobody may write, a folder SQLite
cannot create its journal in, and a read-only mount. Writing commands say what is wrong in one
sentence and take no backup; reading commands still work."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.store.conftest import Site, fingerprint, one_sentence

WRITING = [
    ("update", "--congress", "119"),
    ("import", "--congress", "119"),
    ("init",),
    # Checked for reading only, then the writer lock's file could not be made: internal error.
    ("rebuild",),
]


# Runs the CLI as an ordinary user who owns the test's files (a user namespace maps it to the
# real user), so permission bits bind even when the tests run as root.
UNPRIVILEGED = ("unshare", "--user", "--map-user=1000", "--map-group=1000")


@pytest.fixture
def read_only_file(site: Site) -> Iterator[Site]:
    """The database file itself may not be written (mode 0444)."""
    site.database.chmod(0o444)
    yield site
    site.database.chmod(0o644)


def on_read_only_mount(folder: Path) -> tuple[str, ...]:
    """A command prefix that runs the CLI with `folder` bind-mounted read-only onto itself, in a
    private mount namespace (an unprivileged user namespace: no root needed)."""
    script = 'mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" && shift && exec "$@"'
    return (
        "unshare",
        "--user",
        "--map-root-user",
        "--mount",
        "sh",
        "-c",
        script,
        "sh",
        str(folder),
    )


@pytest.mark.parametrize("command", WRITING, ids=lambda c: c[0])
def test_a_read_only_file_is_refused_before_any_work(
    read_only_file: Site, command: tuple[str, ...]
) -> None:
    site = read_only_file
    before = fingerprint(site.folder)
    result = site.cli(*command, prefix=UNPRIVILEGED)
    assert result.returncode == 1, result.stderr
    sentence = one_sentence(result.stderr)
    assert f"The database file {site.database} is read-only" in sentence
    assert "restore" not in sentence
    assert not site.backups.exists(), "no backup is taken before the refusal"
    assert {k: v for k, v in fingerprint(site.folder).items() if "logs/" not in k} == before


def test_reading_a_read_only_file_still_works(read_only_file: Site) -> None:
    site = read_only_file
    status = site.cli("status", "--json", prefix=UNPRIVILEGED)
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["counts"]["meetings"] == 160
    exported = site.cli("export", "hearings", prefix=UNPRIVILEGED)
    assert exported.returncode == 0 and len(exported.stdout.splitlines()) == 160
    assert site.cli("verify", prefix=UNPRIVILEGED).returncode == 0
    backup = site.cli("backup", "create", prefix=UNPRIVILEGED)
    assert backup.returncode == 0, backup.stderr
    assert len(list(site.backups.glob("hearings_backup_*.db"))) == 1


def test_a_read_only_folder_is_refused_before_any_work(site: Site) -> None:
    folder = site.database.parent
    folder.chmod(0o555)
    try:
        result = site.cli("update", "--congress", "119", prefix=UNPRIVILEGED)
    finally:
        folder.chmod(0o755)
    assert result.returncode == 1
    sentence = one_sentence(result.stderr)
    assert f"The folder {folder} of the database is read-only" in sentence
    assert not site.backups.exists()


@pytest.mark.parametrize("command", WRITING, ids=lambda c: c[0])
def test_a_database_on_a_read_only_mount_is_refused_without_restore_advice(
    site: Site, command: tuple[str, ...]
) -> None:
    before = fingerprint(site.folder)
    result = site.cli(*command, prefix=on_read_only_mount(site.database.parent))
    assert result.returncode == 1, result.stderr
    sentence = one_sentence(result.stderr)
    assert f"The database {site.database} is on a read-only file system" in sentence
    assert "restore" not in sentence and "corrupt" not in sentence
    assert not site.backups.exists(), "no backup is taken before the refusal"
    assert {k: v for k, v in fingerprint(site.folder).items() if "logs/" not in k} == before


def test_reading_from_a_read_only_mount_works(site: Site) -> None:
    mount = on_read_only_mount(site.database.parent)
    status = site.cli("status", "--json", prefix=mount)
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["counts"]["meetings"] == 160
    report = site.cli("report", "--format", "json", prefix=mount)
    assert report.returncode == 0, report.stderr
    verify = site.cli("verify", prefix=mount)
    assert verify.returncode == 0, verify.stderr
    exported = site.cli("export", "hearings", "--format", "csv", prefix=mount)
    assert exported.returncode == 0 and exported.stdout.startswith("event_id,")
    backup = site.cli("backup", "create", prefix=mount)
    assert backup.returncode == 0, backup.stderr
    assert len(list(site.backups.glob("hearings_backup_*.db"))) == 1


def test_restoring_onto_a_read_only_mount_is_refused(site: Site) -> None:
    made = site.cli("backup", "create")
    assert made.returncode == 0
    backup = next(site.backups.glob("hearings_backup_*.db"))
    before = fingerprint(site.database.parent)
    result = site.cli(
        "backup", "restore", str(backup), prefix=on_read_only_mount(site.database.parent)
    )
    assert result.returncode == 1
    assert "read-only file system" in one_sentence(result.stderr)
    assert fingerprint(site.database.parent) == before
