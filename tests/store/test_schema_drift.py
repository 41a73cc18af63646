"""A database whose schema this version does not know: made by a newer version, an unknown
revision, a damaged version table, or not a hearings database at all. Every command says so in
one sentence, exits 1, writes nothing (no file changes, no backup) and never migrates."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.store.conftest import Site, fingerprint, one_sentence

COMMANDS = [
    ("status",),
    ("status", "--json"),
    ("export", "hearings"),
    ("export", "hearings", "--format", "csv", "--output", "out.csv"),
    ("init",),
    ("report",),
    ("report", "--format", "json"),
    ("verify",),
    ("update", "--congress", "119"),
    ("update", "--congress", "119", "--dry-run"),
    ("import", "--congress", "119"),
    ("backup", "create"),
    ("serve", "--port", "1"),
    ("migrate-db", "--from", "{url}", "--to", "sqlite:///copy.db"),
]


def _sql(path: Path, *statements: str) -> None:
    connection = sqlite3.connect(path)
    for statement in statements:
        connection.execute(statement)
    connection.commit()
    connection.close()


def newer(path: Path) -> None:
    _sql(path, "UPDATE alembic_version SET version_num = '0099'")


def unknown(path: Path) -> None:
    _sql(path, "UPDATE alembic_version SET version_num = 'f3e2a1b0c9d8'")


def two_heads(path: Path) -> None:
    _sql(path, "INSERT INTO alembic_version VALUES ('0099')")


NEWER_OR_UNKNOWN = "was made by a newer or unknown version of hearings"


@pytest.mark.parametrize("drift", [newer, unknown, two_heads])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c))
def test_every_command_refuses_a_newer_or_unknown_schema_and_writes_nothing(
    site: Site, drift: Callable[[Path], None], command: tuple[str, ...]
) -> None:
    drift(site.database)
    before = fingerprint(site.folder)

    # `serve` that failed to refuse would serve on: a process of its own, stopped by the timeout.
    args = [part.format(url=site.url) for part in command]
    result = site.cli(*args, own_process=command[0] == "serve", timeout=60)

    assert result.returncode == 1, (result.stdout, result.stderr)
    sentence = one_sentence(result.stderr)
    assert NEWER_OR_UNKNOWN in sentence
    assert "upgrade hearings" in sentence and "hearings backup restore" in sentence
    assert "hearings init" not in sentence  # init cannot fix it
    after = fingerprint(site.folder)
    # The log folder may gain today's log file; the database, its folder and backups may not.
    assert {k: v for k, v in after.items() if not k.startswith("logs/")} == before


def test_verify_json_names_the_newer_schema_as_its_problem(site: Site) -> None:
    newer(site.database)
    result = site.cli("verify", "--json")
    assert result.returncode == 1
    assert NEWER_OR_UNKNOWN in result.stdout and "'0099'" in result.stdout


def test_hearings_tables_without_a_schema_version(site: Site) -> None:
    _sql(site.database, "DROP TABLE alembic_version")
    before = fingerprint(site.folder)
    for command in (("status",), ("init",), ("update", "--congress", "119")):
        result = site.cli(*command)
        assert result.returncode == 1
        assert "has hearings tables" in one_sentence(result.stderr)
    assert {k: v for k, v in fingerprint(site.folder).items() if "logs/" not in k} == before


def test_a_database_of_another_application_is_not_taken_over(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    other = data / "hearings.db"
    _sql(other, "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    site = Site(tmp_path, other)
    before = fingerprint(data)
    for command in (("init",), ("status",), ("update", "--congress", "119")):
        result = site.cli(*command)
        assert result.returncode == 1
        sentence = one_sentence(result.stderr)
        assert "is not a hearings database" in sentence and "invoices" in sentence
    assert fingerprint(data) == before


def test_an_older_known_revision_is_still_migrated(site: Site) -> None:
    # A database from an older version is this version's to migrate, as before.
    result = site.cli("status")
    assert result.returncode == 0, result.stderr


@pytest.mark.postgres
def test_postgresql_with_a_newer_schema_is_refused_untouched(
    postgres_url: str, tmp_path: Path
) -> None:
    site = Site(tmp_path, tmp_path / "unused.db", extra_env={"DATABASE_URL": postgres_url})
    assert site.cli("init").returncode == 0
    engine = create_engine(postgres_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '0099'"))
    for command in (("status",), ("init",), ("update", "--congress", "119"), ("verify",)):
        result = site.cli(*command)
        assert result.returncode == 1
        assert NEWER_OR_UNKNOWN in one_sentence(result.stderr)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT version_num FROM alembic_version")).all() == [
            ("0099",)
        ]
    engine.dispose()
