"""JSON values of the wrong shape: a JSON column takes any valid JSON, so a list where an object
belongs, or a bare number or text, read back and passed `verify`, then failed the commands that
read it as an internal error. Now verify names each one, and those commands say so in one
sentence."""

from __future__ import annotations

import json
import sqlite3

import pytest
from sqlalchemy import JSON

from hearings.store import schema
from hearings.store.json_shapes import SHAPES
from tests.reports.conftest import Site, run_cli


def _store(site: Site, *statements: str) -> None:
    connection = sqlite3.connect(site.database, isolation_level=None)
    for statement in statements:
        connection.execute(statement)
    connection.close()


def test_every_json_column_has_a_shape() -> None:
    columns = {
        (table.name, column.name)
        for table in schema.metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, JSON)
    }
    assert set(SHAPES) == columns


def test_verify_names_each_json_value_of_the_wrong_shape(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _store(
        site,
        "UPDATE printed_hearings SET dates = '1' WHERE rowid = 1",
        "UPDATE printed_hearings SET formats = '[\"PDF\"]' WHERE rowid = 1",
        "UPDATE update_logs SET metrics = '[1, 2]'",
        "UPDATE batch_checkpoints SET event_ids = '{}' WHERE checkpoint_id = "
        "(SELECT min(checkpoint_id) FROM batch_checkpoints)",
    )
    connection = sqlite3.connect(site.database)
    printed = "/".join(
        map(
            str,
            connection.execute(
                "SELECT congress, jacket_number FROM printed_hearings WHERE rowid = 1"
            ).fetchone(),
        )
    )
    (checkpoint,) = connection.execute(
        "SELECT min(checkpoint_id) FROM batch_checkpoints"
    ).fetchone()
    connection.close()
    result = run_cli(monkeypatch, capsys, site.env(), "verify", "--json")
    assert result.code == 1
    (problem,) = json.loads(result.out)["problems"]
    assert problem["check"] == "shapes"
    assert problem["detail"].startswith("4 stored JSON values are not of the shape hearings writes")
    assert set(problem["ids"]) == {
        f"printed_hearings.dates of {printed}: '1' (a number where a list of texts belongs)",
        f"printed_hearings.formats of {printed}: '[\"PDF\"]' (a list holding a text where a "
        "list of objects belongs)",
        "update_logs.metrics of 1: '[1, 2]' (a list where an object belongs)",
        f"batch_checkpoints.event_ids of {checkpoint}: '{{}}' (an object where a list of texts "
        "belongs)",
    }
    assert "Traceback" not in result.out + result.err


def test_a_sound_database_has_no_shape_problem(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    result = run_cli(monkeypatch, capsys, site.env(), "verify", "--json")
    assert result.code == 0, result.out
    assert '"shapes"' in result.out


@pytest.mark.parametrize(
    ("statement", "command", "named"),
    [
        (
            "UPDATE batch_checkpoints SET event_ids = '7'",
            ["report"],
            "batch_checkpoints.event_ids of ",
        ),
    ],
    ids=["report"],
)
def test_a_command_reading_such_a_value_says_so_in_one_sentence(
    site: Site,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    statement: str,
    command: list[str],
    named: str,
) -> None:
    _store(site, statement)
    result = run_cli(monkeypatch, capsys, site.env(), *command)
    assert result.code == 1
    (line,) = result.err.strip().splitlines()
    assert line.startswith("Error: A value stored in the database cannot be read (")
    assert named in line and "This is a bug" not in line


def test_the_export_reads_a_printed_hearings_dates_of_another_shape_as_none(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The one read model of a meeting (pages, API, export) shows what it can: its meeting is
    exported whole, without the dates it cannot read, and `verify` names the value."""
    _store(site, "UPDATE printed_hearings SET dates = '1' WHERE rowid = 1")
    result = run_cli(monkeypatch, capsys, site.env(), "export", "hearings")
    assert result.code == 0, result.err
    assert len(result.out.splitlines()) == 150
    checked = run_cli(monkeypatch, capsys, site.env(), "verify")
    assert checked.code == 1 and "(a number where a list of texts belongs)" in checked.out
