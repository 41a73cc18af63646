"""A SQLite `DATABASE_URL` (or `migrate-db` URL) with query arguments is one sentence and exit 2:
the driver ignored them with a warning (so `?mode=ro` wrote all the same), and with `uri=true`
a read-only `status` created a new, empty `hearings.db?mode=ro` beside the database and called
the healthy database corrupt."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from tests.cli_runs import run_hearings
from tests.store.conftest import fingerprint, imported_database

__all__ = ["imported_database"]  # the fixture, shared with tests/store


@pytest.mark.parametrize(
    ("query", "named"),
    [("?mode=ro&uri=true", "mode, uri"), ("?mode=ro", "mode"), ("?foo=bar", "foo")],
)
@pytest.mark.parametrize("command", [["status"], ["export", "hearings"], ["update"]])
def test_a_sqlite_url_with_query_arguments_is_one_sentence_and_touches_nothing(
    tmp_path: Path, imported_database: Path, query: str, named: str, command: list[str]
) -> None:
    shutil.copyfile(imported_database, tmp_path / "hearings.db")
    before = fingerprint(tmp_path)
    url = f"sqlite:///hearings.db{query}"
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "DATABASE_URL": url}
    result = run_hearings(command, env=env, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        f"Error: The configuration is not valid: DATABASE_URL {url!r} carries query arguments "
        f"({named}), which hearings does not pass to SQLite; name the file alone, e.g. "
        "sqlite:///hearings.db."
    )
    assert result.stdout == ""
    assert fingerprint(tmp_path) == before


def test_migrate_db_refuses_a_sqlite_url_with_query_arguments(tmp_path: Path) -> None:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path)}
    result = run_hearings(
        ["migrate-db", "--from", "sqlite:///a.db?mode=ro", "--to", "sqlite:///b.db"],
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "Error: --from 'sqlite:///a.db?mode=ro' carries query arguments (mode), which hearings "
        "does not pass to SQLite; name the file alone, e.g. sqlite:///hearings.db."
    )
    assert list(tmp_path.iterdir()) == []


def test_a_plain_sqlite_url_still_opens_its_file(tmp_path: Path, imported_database: Path) -> None:
    shutil.copyfile(imported_database, tmp_path / "hearings.db")
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(tmp_path),
        "DATABASE_URL": "sqlite:///hearings.db",
    }
    result = run_hearings(["status", "--json"], env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["counts"]["meetings"] == 160
