"""SQLite backups against real database files: a live WAL database with an open writer is backed
up, verified, listed, pruned and restored; a corrupt backup is refused and changes nothing."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from hearings.errors import HearingsError
from hearings.store.opening import open_database
from hearings.sync.backups import (
    BackupFailed,
    BackupInfo,
    RestoreFailed,
    create_backup,
    list_backups,
    prune_backups,
    restore_backup,
    sqlite_path_from_url,
    verify_sqlite_file,
)

NOW = datetime(2025, 5, 22, 14, 30, 0, tzinfo=UTC)


def _make_database(path: Path, titles: list[str]) -> sqlite3.Connection:
    """A small hearings database (the real schema) in WAL mode whose rows sit in the -wal (no
    checkpoint yet)."""
    open_database(f"sqlite:///{path}").dispose()
    connection = sqlite3.connect(path, isolation_level=None)
    assert connection.execute("PRAGMA journal_mode=WAL").fetchone() == ("wal",)
    connection.execute("PRAGMA wal_autocheckpoint=0")
    for i, title in enumerate(titles):
        _insert(connection, str(i), title)
    return connection


def _insert(connection: sqlite3.Connection, event_id: str, title: str) -> None:
    connection.execute(
        "INSERT INTO hearings (event_id, congress, chamber, title, is_stub, content_hash, "
        "first_seen_at, last_changed_at) VALUES (?, 119, 'House', ?, 0, '-', "
        "'2025-05-01 00:00:00', '2025-05-01 00:00:00')",
        (event_id, title),
    )


def _titles(path: Path) -> list[str]:
    connection = sqlite3.connect(path)
    try:
        return [row[0] for row in connection.execute("SELECT title FROM hearings ORDER BY 1")]
    finally:
        connection.close()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def live(tmp_path: Path) -> Iterator[tuple[Path, sqlite3.Connection]]:
    """The database and a writer connection that stays open for the whole test."""
    path = tmp_path / "data" / "hearings.db"
    path.parent.mkdir()
    writer = _make_database(path, ["alpha", "beta", "gamma"])
    yield path, writer
    writer.close()


# ---- create --------------------------------------------------------------------------------


def test_backup_of_a_live_wal_database_with_a_writer_mid_transaction(
    live: tuple[Path, sqlite3.Connection], tmp_path: Path
) -> None:
    path, writer = live
    assert path.with_name("hearings.db-wal").stat().st_size > 0  # committed rows are in the WAL
    writer.execute("BEGIN")
    _insert(writer, "9", "uncommitted")

    backup = create_backup(path, tmp_path / "backups", now=NOW)

    writer.execute("ROLLBACK")
    assert backup == tmp_path / "backups" / "hearings_backup_20250522_143000.db"
    assert verify_sqlite_file(backup) is None
    assert _titles(backup) == ["alpha", "beta", "gamma"]
    # Self-contained: no journal mode that needs a -wal beside the backup.
    connection = sqlite3.connect(backup)
    assert connection.execute("PRAGMA journal_mode").fetchone() == ("delete",)
    connection.close()


def test_the_writer_keeps_writing_after_a_backup(
    live: tuple[Path, sqlite3.Connection], tmp_path: Path
) -> None:
    path, writer = live
    create_backup(path, tmp_path / "backups", now=NOW)
    _insert(writer, "3", "delta")
    assert _titles(path) == ["alpha", "beta", "delta", "gamma"]


def test_backups_in_the_same_second_get_a_number(
    live: tuple[Path, sqlite3.Connection], tmp_path: Path
) -> None:
    path, _ = live
    names = [create_backup(path, tmp_path / "b", now=NOW).name for _ in range(3)]
    assert names == [
        "hearings_backup_20250522_143000.db",
        "hearings_backup_20250522_143000_2.db",
        "hearings_backup_20250522_143000_3.db",
    ]


def test_backup_names_are_in_utc(live: tuple[Path, sqlite3.Connection], tmp_path: Path) -> None:
    path, _ = live
    eastern = datetime(2025, 5, 22, 10, 30, tzinfo=timezone(timedelta(hours=-4)))
    assert create_backup(path, tmp_path / "b", now=eastern).name.endswith("20250522_143000.db")
    naive = datetime(2025, 5, 22, 15, 0)
    assert create_backup(path, tmp_path / "b", now=naive).name.endswith("20250522_150000.db")


def test_no_backup_of_a_missing_database(tmp_path: Path) -> None:
    with pytest.raises(BackupFailed, match="There is no database file at"):
        create_backup(tmp_path / "absent.db", tmp_path / "b", now=NOW)
    assert not (tmp_path / "b").exists()


def test_a_backup_that_fails_its_integrity_check_is_not_kept(tmp_path: Path) -> None:
    path = tmp_path / "hearings.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE hearings (event_id TEXT PRIMARY KEY, title TEXT)")
    connection.executemany(
        "INSERT INTO hearings VALUES (?, ?)", [(str(i), "x" * 300) for i in range(200)]
    )
    connection.commit()
    connection.close()
    data = bytearray(path.read_bytes())
    data[4096 * 3 : 4096 * 4] = bytes(range(256)) * 16  # a b-tree page overwritten
    path.write_bytes(bytes(data))

    with pytest.raises(BackupFailed) as caught:
        create_backup(path, tmp_path / "b", now=NOW)

    message = str(caught.value)
    assert message.startswith(f"The backup copy of {path} is corrupt (")
    assert "the database itself is most likely damaged: no backup was kept" in message
    assert "\n" not in message
    assert caught.value.exit_code == 1
    assert list((tmp_path / "b").iterdir()) == []


def test_a_file_that_is_not_a_database_cannot_be_backed_up(tmp_path: Path) -> None:
    path = tmp_path / "hearings.db"
    path.write_text("this is a text file, not a database\n" * 50)
    with pytest.raises(BackupFailed, match="failed"):
        create_backup(path, tmp_path / "b", now=NOW)
    assert list((tmp_path / "b").iterdir()) == []


def test_backup_failed_is_a_user_facing_error() -> None:
    assert issubclass(BackupFailed, HearingsError)
    assert issubclass(RestoreFailed, HearingsError)
    assert BackupFailed.exit_code == 1 and RestoreFailed.exit_code == 1


# ---- list and prune ------------------------------------------------------------------------


def _backups_at(path: Path, folder: Path, moments: list[datetime]) -> list[Path]:
    return [create_backup(path, folder, now=moment) for moment in moments]


def test_list_backups_newest_first_ignoring_other_files(
    live: tuple[Path, sqlite3.Connection], tmp_path: Path
) -> None:
    path, _ = live
    folder = tmp_path / "b"
    made = _backups_at(path, folder, [NOW - timedelta(days=2), NOW, NOW, NOW - timedelta(days=1)])
    (folder / "notes.txt").write_text("not a backup")
    (folder / "hearings_backup_latest.db").write_text("not ours either")
    (folder / ".hearings_backup_x.partial").write_text("")

    listed = list_backups(folder)

    assert [b.path for b in listed] == [made[2], made[1], made[3], made[0]]
    assert listed[0] == BackupInfo(path=made[2], created_at=NOW, size=made[2].stat().st_size)
    assert listed[-1].created_at == NOW - timedelta(days=2)
    assert all(b.size > 0 for b in listed)


def test_list_backups_of_a_missing_folder_is_empty(tmp_path: Path) -> None:
    assert list_backups(tmp_path / "nowhere") == []


def test_prune_deletes_backups_older_than_the_retention(
    live: tuple[Path, sqlite3.Connection], tmp_path: Path
) -> None:
    path, _ = live
    folder = tmp_path / "b"
    days_old = [0, 1, 6, 8, 30]
    made = _backups_at(path, folder, [NOW - timedelta(days=d) for d in days_old])

    deleted = prune_backups(folder, 7, now=NOW)

    assert sorted(deleted) == sorted([made[3], made[4]])
    assert [b.path for b in list_backups(folder)] == made[:3]
    assert prune_backups(folder, 7, now=NOW) == []


def test_prune_never_deletes_the_newest_backup(
    live: tuple[Path, sqlite3.Connection], tmp_path: Path
) -> None:
    path, _ = live
    folder = tmp_path / "b"
    made = _backups_at(path, folder, [NOW - timedelta(days=40), NOW - timedelta(days=50)])

    deleted = prune_backups(folder, 7, now=NOW)

    assert deleted == [made[1]]
    assert [b.path for b in list_backups(folder)] == [made[0]]
    assert prune_backups(folder, 0, now=NOW + timedelta(days=365)) == []


def test_prune_with_zero_retention_keeps_only_the_newest(
    live: tuple[Path, sqlite3.Connection], tmp_path: Path
) -> None:
    path, _ = live
    folder = tmp_path / "b"
    made = _backups_at(path, folder, [NOW - timedelta(hours=2), NOW - timedelta(hours=1)])
    assert prune_backups(folder, 0, now=NOW) == [made[0]]
    assert prune_backups(tmp_path / "nowhere", 7, now=NOW) == []


# ---- restore -------------------------------------------------------------------------------


def test_restore_round_trip(live: tuple[Path, sqlite3.Connection], tmp_path: Path) -> None:
    path, writer = live
    backup = create_backup(path, tmp_path / "b", now=NOW)
    writer.execute("DELETE FROM hearings WHERE title = 'alpha'")
    _insert(writer, "7", "changed after the backup")
    writer.close()

    path.chmod(0o640)
    later = NOW + timedelta(days=1)
    replaced = restore_backup(backup, path, now=later)

    assert _titles(path) == ["alpha", "beta", "gamma"]
    assert replaced == path.with_name("hearings.db.replaced-20250523_143000")
    assert replaced is not None
    # The replaced file is complete on its own: its WAL was folded in before it was set aside.
    assert _titles(replaced) == ["beta", "changed after the backup", "gamma"]
    assert verify_sqlite_file(path) is None
    assert path.stat().st_mode & 0o777 == 0o640
    assert not path.with_name("hearings.db-wal").exists()
    assert not path.with_name("hearings.db-shm").exists()
    leftovers = {p.name for p in path.parent.iterdir()}
    assert leftovers == {"hearings.db", "hearings.db.replaced-20250523_143000"}


def test_restore_twice_in_a_second_keeps_both_replaced_files(
    live: tuple[Path, sqlite3.Connection], tmp_path: Path
) -> None:
    path, writer = live
    writer.close()
    backup = create_backup(path, tmp_path / "b", now=NOW)
    first = restore_backup(backup, path, now=NOW)
    second = restore_backup(backup, path, now=NOW)
    assert first is not None and second is not None
    assert second.name == first.name + "_2"
    assert first.exists() and second.exists()


def test_restore_moves_a_stale_wal_away_from_the_new_database(tmp_path: Path) -> None:
    # A crashed writer left hearings.db with a -wal full of rows; copying both files while the
    # writer is open reproduces that state without a crash.
    source = tmp_path / "source.db"
    writer = _make_database(source, ["old one", "old two"])
    crashed = tmp_path / "crashed"
    crashed.mkdir()
    db = crashed / "hearings.db"
    db.write_bytes(source.read_bytes())
    db.with_name("hearings.db-wal").write_bytes(source.with_name("source.db-wal").read_bytes())
    writer.close()
    backup_source = tmp_path / "other.db"
    _make_database(backup_source, ["from the backup"]).close()
    backup = create_backup(backup_source, tmp_path / "b", now=NOW)

    replaced = restore_backup(backup, db, now=NOW)

    # Had the old -wal stayed, SQLite would have replayed it into the restored file.
    assert _titles(db) == ["from the backup"]
    assert replaced is not None and _titles(replaced) == ["old one", "old two"]


def test_restore_of_a_copy_with_its_wal_beside_it_keeps_what_the_wal_holds(
    tmp_path: Path,
) -> None:
    # A database copied with its -wal while in use (rows in the -wal, none checkpointed yet):
    # SQLite reads the two as one, and the restore installed the main file alone, without them.
    source = tmp_path / "source.db"
    writer = _make_database(source, ["in the wal one", "in the wal two"])
    copied = tmp_path / "copied" / "copy.db"
    copied.parent.mkdir()
    copied.write_bytes(source.read_bytes())
    copied.with_name("copy.db-wal").write_bytes(source.with_name("source.db-wal").read_bytes())
    writer.close()
    database = tmp_path / "data" / "hearings.db"
    database.parent.mkdir()
    _make_database(database, ["current"]).close()
    before = {p.name: _digest(p) for p in copied.parent.iterdir()}

    restore_backup(copied, database, now=NOW)

    assert _titles(database) == ["in the wal one", "in the wal two"]
    assert verify_sqlite_file(database) is None  # complete on its own, no -wal beside it
    assert not database.with_name("hearings.db-wal").exists()
    assert {p.name: _digest(p) for p in copied.parent.iterdir()} == before  # source untouched


def test_restore_of_a_copy_with_a_hot_journal_rolls_the_half_transaction_back(
    tmp_path: Path,
) -> None:
    # Copied mid-transaction in rollback-journal mode: the main file holds half a transaction,
    # which the -journal beside it undoes when SQLite opens the pair.
    source = tmp_path / "source.db"
    _make_database(source, ["kept"]).close()
    connection = sqlite3.connect(source, isolation_level=None)
    connection.execute("PRAGMA journal_mode=DELETE")
    connection.execute("PRAGMA cache_size=1")  # pages spill into the file before the commit
    connection.execute("BEGIN")
    for i in range(300):
        _insert(connection, f"half{i}", "x" * 500)
    copied = tmp_path / "copied" / "copy.db"
    copied.parent.mkdir()
    copied.write_bytes(source.read_bytes())
    copied.with_name("copy.db-journal").write_bytes(
        source.with_name("source.db-journal").read_bytes()
    )
    connection.execute("ROLLBACK")
    connection.close()
    database = tmp_path / "data" / "hearings.db"
    database.parent.mkdir()
    _make_database(database, ["current"]).close()

    restore_backup(copied, database, now=NOW)

    assert _titles(database) == ["kept"]
    assert verify_sqlite_file(database) is None


def test_restore_over_a_corrupt_database_keeps_its_wal_beside_it(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    db = folder / "hearings.db"
    # Overwritten with garbage: SQLite refuses to open it, so no checkpoint can run.
    db.write_bytes(b"not a database at all " * 200)
    db.with_name("hearings.db-wal").write_bytes(b"\x01wal frames nobody can replay" * 64)
    db.with_name("hearings.db-shm").write_bytes(b"\x00" * 1024)
    backup_source = tmp_path / "good.db"
    _make_database(backup_source, ["good"]).close()
    backup = create_backup(backup_source, tmp_path / "b", now=NOW)

    replaced = restore_backup(backup, db, now=NOW)

    assert _titles(db) == ["good"]
    assert replaced is not None
    kept_wal = replaced.with_name(replaced.name + "-wal")
    assert kept_wal.read_bytes().startswith(b"\x01wal frames")
    assert not db.with_name("hearings.db-wal").exists()
    assert not db.with_name("hearings.db-shm").exists()


def test_restore_when_there_is_no_database_yet(tmp_path: Path) -> None:
    source = tmp_path / "source.db"
    _make_database(source, ["first"]).close()
    backup = create_backup(source, tmp_path / "b", now=NOW)
    target = tmp_path / "new" / "hearings.db"
    target.parent.mkdir()
    assert restore_backup(backup, target, now=NOW) is None
    assert _titles(target) == ["first"]


def _truncated(backup: Path) -> Path:
    copy = backup.with_name("truncated.db")
    copy.write_bytes(backup.read_bytes()[: backup.stat().st_size // 2])
    return copy


def _garbage(backup: Path) -> Path:
    copy = backup.with_name("garbage.db")
    copy.write_bytes(bytes((i * 7) % 251 for i in range(8192)))
    return copy


def _text(backup: Path) -> Path:
    copy = backup.with_name("notes.db")
    copy.write_text("hearings backup from last week\n")
    return copy


def _empty(backup: Path) -> Path:
    copy = backup.with_name("empty.db")
    copy.write_bytes(b"")
    return copy


def _damaged_page(backup: Path) -> Path:
    connection = sqlite3.connect(backup, isolation_level=None)
    for i in range(200):
        _insert(connection, f"x{i}", "y" * 300)
    connection.close()
    data = bytearray(backup.read_bytes())
    data[4096 * 3 : 4096 * 4] = bytes(range(256)) * 16
    copy = backup.with_name("damaged.db")
    copy.write_bytes(bytes(data))
    return copy


def _missing(backup: Path) -> Path:
    return backup.with_name("missing.db")


def _fifo(backup: Path) -> Path:
    # Opened for reading, a named pipe waits for a writer: the restore hung for good.
    fifo = backup.with_name("pipe.db")
    os.mkfifo(fifo)
    return fifo


@pytest.mark.parametrize(
    ("spoil", "problem"),
    [
        (_truncated, "is truncated"),
        (_garbage, "is not a SQLite database"),
        (_text, "is not a SQLite database"),
        (_empty, "is empty"),
        (_damaged_page, "corrupt"),
        (_missing, "does not exist"),
        (_fifo, "is a named pipe (fifo), not a database file"),
    ],
    ids=["truncated", "garbage", "text", "empty", "damaged-page", "missing", "fifo"],
)
def test_restore_refuses_an_unusable_backup_and_changes_nothing(
    live: tuple[Path, sqlite3.Connection], tmp_path: Path, spoil: object, problem: str
) -> None:
    path, writer = live
    backup = create_backup(path, tmp_path / "b", now=NOW)
    bad = spoil(backup)  # type: ignore[operator]
    writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = {p.name: _digest(p) for p in path.parent.iterdir()}

    with pytest.raises(RestoreFailed) as caught:
        restore_backup(bad, path, now=NOW)

    message = str(caught.value)
    assert message.startswith(f"Cannot restore from {bad}: the file ")
    assert problem in message
    assert message.endswith(f"{path} was not changed.")
    assert "\n" not in message
    assert caught.value.exit_code == 1
    assert {p.name: _digest(p) for p in path.parent.iterdir()} == before
    assert _titles(path) == ["alpha", "beta", "gamma"]


def test_restore_refuses_the_database_itself(live: tuple[Path, sqlite3.Connection]) -> None:
    path, _ = live
    with pytest.raises(RestoreFailed, match="is the database itself"):
        restore_backup(path, path, now=NOW)


# ---- verification --------------------------------------------------------------------------


def test_verify_accepts_a_sound_database_without_touching_it(tmp_path: Path) -> None:
    path = tmp_path / "plain.db"
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE t (x)")
    connection.commit()
    connection.close()
    assert verify_sqlite_file(path) is None
    assert {p.name for p in tmp_path.iterdir()} == {"plain.db"}


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"", "is empty"),
        (b"hello, world\n" * 100, "is not a SQLite database"),
        (b"SQLite format 3\x00" + b"\x00" * 20, "is truncated"),
        (b"\xff\xfe\x00garbage" * 1000, "is not a SQLite database"),
    ],
)
def test_verify_describes_a_bad_file_in_one_sentence(
    tmp_path: Path, content: bytes, problem: str
) -> None:
    path = tmp_path / "bad.db"
    path.write_bytes(content)
    message = verify_sqlite_file(path)
    assert message is not None
    assert message.startswith(f"The file {path} {problem}")
    assert message.endswith(".") and "\n" not in message


def test_verify_a_folder_or_a_missing_file(tmp_path: Path) -> None:
    assert verify_sqlite_file(tmp_path) == f"The file {tmp_path} is a folder, not a database file."
    assert verify_sqlite_file(tmp_path / "x.db") == f"The file {tmp_path / 'x.db'} does not exist."


def test_verify_a_truncated_database(live: tuple[Path, sqlite3.Connection], tmp_path: Path) -> None:
    path, _ = live
    backup = create_backup(path, tmp_path / "b", now=NOW)
    message = verify_sqlite_file(_truncated(backup))
    assert message is not None and "is truncated" in message


# ---- database URLs -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("sqlite:///hearings.db", Path("hearings.db")),
        ("sqlite:////var/lib/hearings/hearings.db", Path("/var/lib/hearings/hearings.db")),
        ("sqlite+pysqlite:///data/h.db", Path("data/h.db")),
        ("sqlite://", None),
        ("sqlite:///:memory:", None),
        ("postgresql+psycopg://user@localhost/hearings", None),
        ("postgresql://user:secret@db.example.org:5432/hearings", None),
        ("not a url", None),
    ],
)
def test_sqlite_path_from_url(url: str, path: Path | None) -> None:
    assert sqlite_path_from_url(url) == path
