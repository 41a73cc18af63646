"""`hearings migrate-db` refuses, in one sentence and before it opens anything, a source or target
it could only get wrong: a misspelt source file (opening it would create it empty, and its empty
copy would replace the target's rows), an in-memory database, a URL it cannot parse."""

from __future__ import annotations

import sqlite3

import pytest

from tests.store.conftest import Site, imported_database, site

__all__ = ["imported_database", "site"]  # the fixtures, shared with tests/store


def _meetings(site: Site) -> int:
    connection = sqlite3.connect(site.database)
    try:
        return int(connection.execute("SELECT count(*) FROM hearings").fetchone()[0])
    finally:
        connection.close()


def test_a_source_file_that_does_not_exist_is_refused_and_the_target_keeps_its_rows(
    site: Site,
) -> None:
    before = _meetings(site)
    misspelt = site.folder / "hearing.db"
    copied = site.cli(
        "migrate-db", "--from", f"sqlite:///{misspelt}", "--to", site.url, "--replace"
    )
    assert copied.returncode == 2
    assert copied.stderr.strip() == f"Error: There is no database at {misspelt} to copy (--from)."
    assert not misspelt.exists()
    assert _meetings(site) == before > 0


@pytest.mark.parametrize(
    ("option", "url", "says"),
    [
        ("--from", "sqlite://", "--from names an in-memory SQLite database"),
        ("--to", "sqlite:///:memory:", "--to names an in-memory SQLite database"),
        ("--from", "hearings.db", "--from 'hearings.db' is not a database URL"),
        (
            "--to",
            "postgresql+psycopg://hearings:Pg-s3cret@db.example.org:5432x/hearings",
            "--to 'postgresql+psycopg://hearings:***@db.example.org:5432x/hearings' is not a "
            "database URL",
        ),
    ],
)
def test_a_database_that_cannot_be_copied_from_or_to_is_one_sentence(
    site: Site, option: str, url: str, says: str
) -> None:
    urls = {"--from": site.url, "--to": f"sqlite:///{site.folder / 'copy.db'}", option: url}
    copied = site.cli("migrate-db", "--from", urls["--from"], "--to", urls["--to"], "--replace")
    assert copied.returncode == 2, copied.stderr
    assert copied.stderr.startswith(f"Error: {says}")
    assert "Internal error" not in copied.stderr and "Pg-s3cret" not in copied.stderr
    assert _meetings(site) > 0
