"""`hearings backup restore` accepts only a hearings database at a schema revision this version
knows. A stranger's database, an empty one, one from a newer version or without its schema
version is refused in one sentence, through the CLI, and the database stays as it was."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from hearings.store.engine import create_db_engine
from hearings.store.opening import alembic_config
from hearings.store.postgres import client_connection
from tests.store.conftest import Site, fingerprint, imported_database, one_sentence, site

__all__ = ["imported_database", "site"]  # the fixtures, shared with tests/store


def _sqlite(path: Path, *statements: str) -> Path:
    connection = sqlite3.connect(path)
    for statement in statements:
        connection.execute(statement)
    connection.commit()
    connection.close()
    return path


def strangers_database(folder: Path, good: Path) -> Path:
    return _sqlite(
        folder / "other.db",
        "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)",
        "INSERT INTO invoices VALUES (1, 9.5)",
    )


def empty_database(folder: Path, good: Path) -> Path:
    return _sqlite(folder / "empty.db", "PRAGMA user_version = 1")


def newer_schema(folder: Path, good: Path) -> Path:
    copy = folder / "newer.db"
    copy.write_bytes(good.read_bytes())
    return _sqlite(copy, "UPDATE alembic_version SET version_num = '0099'")


def no_schema_version(folder: Path, good: Path) -> Path:
    copy = folder / "unversioned.db"
    copy.write_bytes(good.read_bytes())
    return _sqlite(copy, "DROP TABLE alembic_version")


def lacks_tables(folder: Path, good: Path) -> Path:
    copy = folder / "partial.db"
    copy.write_bytes(good.read_bytes())
    return _sqlite(copy, "PRAGMA foreign_keys = OFF", "DROP TABLE committees")


def lacks_a_table_of_its_own(folder: Path, good: Path) -> Path:
    # Not one of the core tables: only those were looked for, so this was restored, and then
    # failed status, export and verify, and a rebuild as an internal error.
    copy = folder / "no-witnesses.db"
    copy.write_bytes(good.read_bytes())
    return _sqlite(copy, "PRAGMA foreign_keys = OFF", "DROP TABLE witnesses")


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (strangers_database, "is not a hearings database (it holds other tables: invoices)"),
        (empty_database, "is not a hearings database (it holds no hearings tables)"),
        (newer_schema, "was made by a newer or unknown version of hearings"),
        (no_schema_version, "but no schema version"),
        (lacks_tables, "lacks the tables committees"),
        (lacks_a_table_of_its_own, "lacks the tables witnesses"),
    ],
    ids=["stranger", "empty", "newer", "unversioned", "partial", "partial-derived"],
)
def test_restore_refuses_what_is_not_a_known_hearings_database(
    site: Site, make: Callable[[Path, Path], Path], says: str
) -> None:
    offered = make(site.folder, site.database)
    before = fingerprint(site.database.parent)

    result = site.cli("backup", "restore", str(offered))

    assert result.returncode == 1
    sentence = one_sentence(result.stderr)
    assert sentence.startswith(f"Error: Cannot restore from {offered}: it ")
    assert says in sentence
    assert sentence.endswith(f"{site.database} was not changed.")
    assert fingerprint(site.database.parent) == before
    status = site.cli("status", "--json")
    assert json.loads(status.stdout)["counts"]["meetings"] == 160


def test_a_backup_from_an_older_version_is_restored_and_migrated(site: Site) -> None:
    older = site.folder / "older.db"
    engine = create_db_engine(f"sqlite:///{older}")
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
    engine.dispose()

    restored = site.cli("backup", "restore", str(older))

    assert restored.returncode == 0, restored.stderr
    status = site.cli("status", "--json")
    assert status.returncode == 0, status.stderr
    assert json.loads(status.stdout)["counts"]["meetings"] == 0
    connection = sqlite3.connect(site.database)
    head = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    connection.close()
    assert head != [("0003",)]  # migrated to this version's head by the first command


@pytest.mark.postgres
def test_postgresql_restore_refuses_an_archive_from_a_newer_version(
    postgres_url: str, tmp_path: Path
) -> None:
    site = Site(tmp_path, tmp_path / "unused.db", extra_env={"DATABASE_URL": postgres_url})
    assert site.cli("init").returncode == 0
    made = site.cli("backup", "create")
    assert made.returncode == 0, made.stderr
    # The same database, then at a revision this version has never heard of, dumped by pg_dump.
    engine = create_engine(postgres_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    target = client_connection(postgres_url)
    newer = tmp_path / "newer.dump"
    subprocess.run(
        ["pg_dump", "--format=custom", f"--file={newer}", f"--dbname={target.conninfo}"],
        env=target.env,
        check=True,
    )
    engine.dispose()
    backups_before = sorted(site.backups.iterdir())

    result = site.cli("backup", "restore", str(newer))

    assert result.returncode == 1
    sentence = one_sentence(result.stderr)
    assert "was made by a newer or unknown version of hearings" in sentence
    assert "the database was not changed" in sentence
    assert sorted(site.backups.iterdir()) == backups_before  # refused before any backup


def test_restoring_a_good_backup_is_the_way_out_of_a_newer_schema(site: Site) -> None:
    good = site.folder / "good.db"
    good.write_bytes(site.database.read_bytes())
    _sqlite(site.database, "UPDATE alembic_version SET version_num = '0099'")
    assert site.cli("status").returncode == 1

    restored = site.cli("backup", "restore", str(good))

    assert restored.returncode == 0, restored.stderr
    status = site.cli("status", "--json")
    assert status.returncode == 0 and json.loads(status.stdout)["counts"]["meetings"] == 160
    kept = list(site.database.parent.glob("hearings.db.replaced-*"))
    assert len(kept) == 1  # the newer version's database is kept, not lost


def test_restoring_into_a_folder_that_does_not_exist(site: Site) -> None:
    good = site.folder / "good.db"
    good.write_bytes(site.database.read_bytes())
    missing = site.folder / "nowhere" / "hearings.db"
    result = site.cli("backup", "restore", str(good), DATABASE_URL=f"sqlite:///{missing}")
    assert result.returncode == 1
    assert "the folder" in one_sentence(result.stderr) and "does not exist" in result.stderr
    assert not missing.parent.exists()


def test_the_database_under_another_name_is_not_a_backup(site: Site) -> None:
    linked = site.folder / "linked.db"
    linked.hardlink_to(site.database)
    before = fingerprint(site.database.parent)
    result = site.cli("backup", "restore", str(linked))
    assert result.returncode == 1
    assert "is the database itself" in one_sentence(result.stderr)
    assert fingerprint(site.database.parent) == before


def test_a_backup_whose_archived_payload_is_damaged_is_refused(site: Site) -> None:
    # SQLite's integrity check reads the file's structure, not its values: this passed it, and
    # the restore went through silently, losing the version for history and a rebuild.
    damaged = site.folder / "damaged.db"
    damaged.write_bytes(site.database.read_bytes())
    _sqlite(damaged, "UPDATE payload_archive SET payload = X'789c0000' WHERE version_id = 7")
    before = hashlib.sha256(site.database.read_bytes()).hexdigest()

    result = site.cli("backup", "restore", str(damaged))

    assert result.returncode == 1
    sentence = one_sentence(result.stderr)
    assert sentence.startswith(f"Error: Cannot restore from {damaged}: its payload archive holds ")
    assert "1 version that cannot be read back (damaged)" in sentence
    assert "(archive version 7)" in sentence
    assert sentence.endswith(f"{site.database} was not changed.")
    assert hashlib.sha256(site.database.read_bytes()).hexdigest() == before
    assert not list(site.database.parent.glob("hearings.db.replaced-*"))


def _null_device(path: Path) -> Path:
    try:
        os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a private /dev/null
    except PermissionError:
        pytest.skip("making a device node needs root")
    return path


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


@pytest.mark.parametrize(("make", "kind"), [(_null_device, "a device"), (_fifo, "a named pipe")])
def test_a_database_path_that_is_a_device_or_a_fifo_is_never_replaced(
    site: Site, make: Callable[[Path], Path], kind: str
) -> None:
    # DATABASE_URL=sqlite:////dev/null (or a link to it) restored over the device itself: every
    # program on the machine then wrote into the restored database's file.
    good = site.folder / "good.db"
    good.write_bytes(site.database.read_bytes())
    special = make(site.folder / "special.db")
    mode = special.lstat().st_mode

    result = site.cli("backup", "restore", str(good), DATABASE_URL=f"sqlite:///{special}")

    assert result.returncode == 1
    sentence = one_sentence(result.stderr)
    assert f"the database path {special} is {kind}" in sentence and "was not changed" in sentence
    assert special.lstat().st_mode == mode
    assert not list(site.folder.glob("special.db.*"))


@pytest.mark.postgres
@pytest.mark.parametrize("wrong", ["password", "database"])
def test_postgresql_restore_into_a_database_that_does_not_answer(
    postgres_url: str, tmp_path: Path, wrong: str
) -> None:
    # The writer lock's connection failed first: "The database stopped answering (…); committed
    # work is kept", about a database that never answered.
    site = Site(tmp_path, tmp_path / "unused.db", extra_env={"DATABASE_URL": postgres_url})
    assert site.cli("init").returncode == 0
    made = site.cli("backup", "create")
    assert made.returncode == 0, made.stderr
    (dump,) = site.backups.iterdir()
    url = make_url(postgres_url)
    if wrong == "password":
        url = url.set(password="not-the-password-7c1e")
    else:
        url = url.set(database="no_such_database")
    shown = url.render_as_string(hide_password=False)

    result = site.cli("backup", "restore", str(dump), DATABASE_URL=shown)

    assert result.returncode == 1
    sentence = one_sentence(result.stderr)
    assert sentence.startswith(f"Error: Cannot restore {dump}: the database cannot be reached (")
    assert sentence.endswith("so it was not changed.")
    assert str(url.password) not in result.stderr + result.stdout
    assert sorted(site.backups.iterdir()) == [dump]


@pytest.mark.postgres
def test_postgresql_restore_refuses_an_archive_whose_payloads_are_damaged(
    postgres_url: str, tmp_path: Path
) -> None:
    # pg_restore --list reads the archive's table of contents, not its values: a dump whose
    # archived payload does not unpack was restored silently, its version lost to history.
    site = Site(tmp_path, tmp_path / "unused.db", extra_env={"DATABASE_URL": postgres_url})
    assert site.cli("init").returncode == 0
    engine = create_engine(postgres_url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO payload_archive (entity, identifier, content_hash, payload, "
                "first_seen_at, last_seen_at) VALUES ('meeting', '115446', 'h', "
                "'\\x789c0000'::bytea, now(), now())"
            )
        )
    target = client_connection(postgres_url)
    damaged = tmp_path / "damaged.dump"
    subprocess.run(
        ["pg_dump", "--format=custom", f"--file={damaged}", f"--dbname={target.conninfo}"],
        env=target.env,
        check=True,
    )
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM payload_archive"))
    engine.dispose()

    result = site.cli("backup", "restore", str(damaged))

    assert result.returncode == 1
    sentence = one_sentence(result.stderr)
    assert "its payload archive holds 1 version that cannot be read back (damaged)" in sentence
    assert "meeting 115446 (archive version " in sentence
    assert sentence.endswith("the database was not changed.")
    assert not site.backups.exists() or not any(site.backups.iterdir())
