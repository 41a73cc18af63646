"""Stored values a column's type cannot read back: SQLite keeps any value in any column, and its
integrity check reads the file's structure, not the values. A date-time damaged on disk (or
written by hand in another form) made `verify` itself, `status` and `report` internal errors.
Now verify names each value, the other commands say so in one sentence, and `hearings rebuild`
mends the tables it derives."""

from __future__ import annotations

import sqlite3

import pytest

from hearings.reports.export import export_to_string
from tests.reports.conftest import Site, run_cli

EVENT = "118278"


def _damage(site: Site) -> tuple[str, str]:
    """Four kinds of unreadable value; returns the other meeting and the witness damaged."""
    connection = sqlite3.connect(site.database, isolation_level=None)
    try:
        connection.execute("UPDATE hearings SET start_at = 'garbage' WHERE event_id = ?", (EVENT,))
        (other,) = connection.execute(
            "SELECT min(event_id) FROM hearings WHERE event_id != ?", (EVENT,)
        ).fetchone()
        connection.execute(
            "UPDATE hearings SET last_changed_at = 12345 WHERE event_id = ?", (other,)
        )
        (witness,) = connection.execute("SELECT min(witness_id) FROM witnesses").fetchone()
        # Not UTF-8, with a terminal escape in it.
        connection.execute(
            "UPDATE witnesses SET display_name = CAST(x'4aff1b5b33316d6f' AS TEXT) "
            "WHERE witness_id = ?",
            (witness,),
        )
        connection.execute(
            "UPDATE printed_hearings SET dates = '{not json' "
            "WHERE rowid = (SELECT min(rowid) FROM printed_hearings)"
        )
    finally:
        connection.close()
    return str(other), str(witness)


def test_verify_names_each_value_that_cannot_be_read(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    other, witness = _damage(site)
    result = run_cli(monkeypatch, capsys, site.env(), "verify")
    assert result.code == 1, result.err
    assert "values: 4 stored values cannot be read back" in result.out
    assert f"hearings.start_at of {EVENT}: 'garbage' (Invalid isoformat string" in result.out
    assert f"hearings.last_changed_at of {other}: '12345'" in result.out
    assert f"witnesses.display_name of {witness}:" in result.out and "not UTF-8 text" in result.out
    assert "printed_hearings.dates of " in result.out and "'{not json'" in result.out
    assert "\x1b" not in result.out and "Traceback" not in result.out + result.err


@pytest.mark.parametrize("command", [["status"], ["report"], ["export", "hearings"]])
def test_a_command_reading_such_a_value_says_so_in_one_sentence(
    site: Site,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
) -> None:
    _damage(site)
    result = run_cli(monkeypatch, capsys, site.env(), *command)
    assert result.code == 1
    (line,) = result.err.strip().splitlines()
    assert line.startswith("Error: ") and "This is a bug" not in line and "\x1b" not in line
    assert "cannot be read" in line or "not UTF-8" in line


def test_rebuild_mends_the_tables_it_derives(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = export_to_string(site.engine(), "hearings")
    site.close()
    _damage(site)
    rebuilt = run_cli(monkeypatch, capsys, site.env(), "rebuild")
    assert rebuilt.code == 0, rebuilt.err
    verified = run_cli(monkeypatch, capsys, site.env(), "verify")
    assert verified.code == 0, verified.out
    assert export_to_string(site.engine(), "hearings") == before


def test_text_in_a_number_column_is_named(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    connection = sqlite3.connect(site.database, isolation_level=None)
    connection.execute("UPDATE update_logs SET hearings_checked = 'many', duration_seconds = 'x'")
    (run,) = connection.execute("SELECT min(run_id) FROM update_logs").fetchone()
    connection.close()
    result = run_cli(monkeypatch, capsys, site.env(), "verify")
    assert result.code == 1
    assert f"update_logs.hearings_checked of {run}: 'many' (not a number)" in result.out
    assert f"update_logs.duration_seconds of {run}: 'x' (not a number)" in result.out


@pytest.mark.parametrize(
    ("statement", "command", "named"),
    [
        ("UPDATE update_logs SET hearings_checked = 'many'", ["report"], "hearings_checked"),
        ("UPDATE update_logs SET api_requests = 'many'", ["report", "--json"], "api_requests"),
        # Read as it is, and failed only where the text report formats it.
        ("UPDATE update_logs SET duration_seconds = 'slow'", ["report"], "duration_seconds"),
        ("UPDATE hearings SET congress = 'many'", ["status"], "hearings.congress"),
        ("UPDATE bills SET congress = 'many'", ["export", "hearings"], "bills.congress"),
    ],
    ids=["report", "report-json", "report-text-format", "status", "export"],
)
def test_text_in_a_number_column_is_one_sentence_wherever_it_is_read(
    site: Site,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    statement: str,
    command: list[str],
    named: str,
) -> None:
    # SQLite hands the text back as text, which no column type converts: the command's own code
    # failed on it (`int('many')`, a number's format code), an internal error.
    connection = sqlite3.connect(site.database, isolation_level=None)
    connection.execute(statement)
    connection.close()
    result = run_cli(monkeypatch, capsys, site.env(), *command)
    assert result.code == 1
    (line,) = result.err.strip().splitlines()
    assert line.startswith("Error: A value stored in the database cannot be read (")
    assert named in line and "(not a number)" in line and "This is a bug" not in line
