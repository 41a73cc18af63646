"""`hearings export … --format csv` on a real database whose titles and names start like
spreadsheet formulas: opened with Python's csv module, no cell starts with a formula
character; the JSON Lines export keeps every value exactly."""

from __future__ import annotations

import csv
import json
import sqlite3

import pytest

from hearings.reports.export_formats import FORMULA_STARTS
from tests.store.conftest import Site, imported_database, site

__all__ = ["imported_database", "site"]  # the fixtures, shared with tests/store

FORMULAS = [
    '=HYPERLINK("http://evil.example","Click")',
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "\t=1+1",
    "\r=1+1",
    "   =1+1",
    "\uff1d1+1",
]


def _plant(site: Site) -> dict[str, str]:
    connection = sqlite3.connect(site.database)
    ids = [r[0] for r in connection.execute("SELECT event_id FROM hearings ORDER BY 1 LIMIT 8")]
    for event_id, formula in zip(ids, FORMULAS, strict=True):
        connection.execute("UPDATE hearings SET title = ? WHERE event_id = ?", (formula, event_id))
    connection.execute("UPDATE witnesses SET display_name = '=1+2', organization = '@evil'")
    connection.execute("UPDATE witness_appearances SET name_as_given = '-1', position = '+cmd'")
    connection.commit()
    connection.close()
    return dict(zip(ids, FORMULAS, strict=True))


def _cells(path_or_text: str) -> list[dict[str, str]]:
    rows = list(csv.DictReader(path_or_text.splitlines(keepends=True)))
    assert rows
    for row in rows:
        for name, cell in row.items():
            assert not cell.lstrip(" ").startswith(FORMULA_STARTS), (name, cell)
    return rows


@pytest.mark.parametrize("entity", ["hearings", "witnesses", "appearances"])
def test_no_csv_cell_starts_with_a_formula_character(site: Site, entity: str) -> None:
    planted = _plant(site)
    out = site.folder / f"{entity}.csv"
    written = site.cli("export", entity, "--format", "csv", "--output", str(out))
    assert written.returncode == 0, written.stderr
    with out.open(newline="", encoding="utf-8") as handle:
        rows = _cells(handle.read())
    printed = site.cli("export", entity, "--format", "csv")
    assert printed.returncode == 0
    assert len(_cells(printed.stdout)) == len(rows)
    if entity == "hearings":
        titles = {row["event_id"]: row["title"] for row in rows}
        for event_id, formula in planted.items():
            assert titles[event_id] == "'" + formula  # shown as text, nothing else changed


def test_json_lines_keep_the_values_exactly(site: Site) -> None:
    planted = _plant(site)
    result = site.cli("export", "hearings")
    assert result.returncode == 0
    titles = {r["event_id"]: r["title"] for r in map(json.loads, result.stdout.splitlines())}
    for event_id, formula in planted.items():
        assert titles[event_id] == formula
