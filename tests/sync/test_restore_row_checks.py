"""`hearings backup restore` reads a SQLite backup's rows before it replaces anything: a file at
this version's schema revision whose tables lack its columns, or whose values `hearings verify`
would call problems (`values`, `shapes`), is refused in one sentence and the database stays as
it was. `--force` restores damaged values (a rebuild mends the derived tables), never tables of
another shape."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.store.conftest import Site, fingerprint, imported_database, one_sentence, site

__all__ = ["imported_database", "site"]  # the fixtures, shared with tests/store


def files_beside(database: Path) -> dict[str, str]:
    """The database's folder as `fingerprint` has it, but for the writer lock's empty file: the
    rows are read from the staged copy, under the lock."""
    return {
        name: digest
        for name, digest in fingerprint(database.parent).items()
        if name != database.name + ".lock"
    }


def damaged_copy(folder: Path, good: Path, name: str, *statements: str) -> Path:
    copy = folder / name
    copy.write_bytes(good.read_bytes())
    connection = sqlite3.connect(copy)
    for statement in statements:
        connection.execute(statement)
    connection.commit()
    connection.close()
    return copy


def a_column_missing(folder: Path, good: Path) -> Path:
    # Another program's database with our table names, or a hand-edited one.
    return damaged_copy(
        folder, good, "columns.db", "ALTER TABLE witnesses DROP COLUMN organization"
    )


def a_date_unreadable(folder: Path, good: Path) -> Path:
    return damaged_copy(
        folder,
        good,
        "dates.db",
        "UPDATE hearings SET start_at = 'garbage' WHERE event_id = "
        "(SELECT min(event_id) FROM hearings)",
    )


def a_list_of_another_shape(folder: Path, good: Path) -> Path:
    return damaged_copy(folder, good, "shapes.db", "UPDATE printed_hearings SET dates = '1'")


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (
            a_column_missing,
            "its tables are not of the shape this version of hearings writes "
            "(it lacks witnesses.organization)",
        ),
        (
            a_date_unreadable,
            "it holds 1 stored value that cannot be read back (the first: hearings.start_at of ",
        ),
        (
            a_list_of_another_shape,
            "it holds 12 stored JSON values that are not of the shape hearings writes (the "
            "first: printed_hearings.dates of ",
        ),
    ],
    ids=["columns", "values", "shapes"],
)
def test_restore_refuses_a_backup_whose_rows_hearings_cannot_read(
    site: Site, make: Callable[[Path, Path], Path], says: str
) -> None:
    offered = make(site.folder, site.database)
    before = files_beside(site.database)

    result = site.cli("backup", "restore", str(offered))

    assert result.returncode == 1
    sentence = one_sentence(result.stderr)
    assert sentence.startswith(f"Error: Cannot restore from {offered}: ")
    assert says in sentence
    assert sentence.endswith(f"{site.database} was not changed.")
    assert files_beside(site.database) == before


def test_force_restores_damaged_values_for_a_rebuild_to_mend(site: Site) -> None:
    offered = a_date_unreadable(site.folder, site.database)
    refused = site.cli("backup", "restore", str(offered))
    assert "`hearings backup restore --force` restores it anyway" in refused.stderr

    forced = site.cli("backup", "restore", "--force", str(offered))

    assert forced.returncode == 0, forced.stderr
    verified = json.loads(site.cli("verify", "--json").stdout)
    assert [p["check"] for p in verified["problems"]] == ["values"]


def test_force_never_restores_tables_of_another_shape(site: Site) -> None:
    offered = a_column_missing(site.folder, site.database)
    before = files_beside(site.database)

    result = site.cli("backup", "restore", "--force", str(offered))

    assert result.returncode == 1
    assert "--force" not in one_sentence(result.stderr)
    assert files_beside(site.database) == before
