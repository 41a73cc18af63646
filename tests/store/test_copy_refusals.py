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


def test_a_file_under_the_home_folder_is_copied_there_as_database_url_reads_it(
    site: Site, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # A shell leaves `sqlite:///~/copy.db` as it is: the copy went to a folder literally named
    # `~` in the working folder, while DATABASE_URL reads `~` as the home folder.
    home = tmp_path_factory.mktemp("home")
    copied = site.cli(
        "migrate-db", "--from", site.url, "--to", "sqlite:///~/copy.db", HOME=str(home)
    )
    assert copied.returncode == 0, copied.stderr
    assert (home / "copy.db").is_file()
    assert not (site.folder / "~").exists()
    unknown = site.cli(
        "migrate-db", "--from", site.url, "--to", "sqlite:///~nobody-here-at-all/copy.db"
    )
    assert unknown.returncode == 2
    assert unknown.stderr.strip() == (
        "Error: --to's file '~nobody-here-at-all/copy.db' starts with ~, the home folder of "
        "'nobody-here-at-all', a user this system does not know; give the full path."
    )
