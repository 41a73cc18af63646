"""`hearings export members|appearances`, and `--since DATE` for every entity."""

from __future__ import annotations

import csv
import io
import json
import sqlite3

import pytest

from hearings.reports.export import EXPORTERS
from tests.reports.conftest import Site, run_cli


def _jsonl(text: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in text.splitlines()]


def test_members_export(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    records = _jsonl(run_cli(monkeypatch, capsys, site.env(), "export", "members").out)
    assert len(records) == 538
    assert list(records[0]) == [
        "bioguide_id",
        "name",
        "first_name",
        "last_name",
        "party",
        "state",
        "district",
        "chamber",
        "image_url",
        "update_date",
    ]
    ids = [r["bioguide_id"] for r in records]
    assert ids == sorted(ids)  # type: ignore[type-var]
    table = run_cli(monkeypatch, capsys, site.env(), "export", "members", "--format", "csv").out
    rows = list(csv.DictReader(io.StringIO(table)))
    assert len(rows) == 538 and rows[0]["bioguide_id"] == records[0]["bioguide_id"]


def test_appearances_export_matches_the_hearings_witnesses(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    appearances = _jsonl(run_cli(monkeypatch, capsys, site.env(), "export", "appearances").out)
    hearings = _jsonl(run_cli(monkeypatch, capsys, site.env(), "export", "hearings").out)
    expected = [
        (h["event_id"], w["witness_id"], w["name"])  # type: ignore[index]
        for h in hearings
        for w in h["witnesses"]  # type: ignore[attr-defined]
    ]
    assert [(a["event_id"], a["witness_id"], a["name"]) for a in appearances] == expected
    first = appearances[0]
    assert list(first) == [
        "event_id",
        "ordinal",
        "witness_id",
        "name",
        "organization",
        "position",
        "congress",
        "chamber",
        "start",
        "documents",
    ]
    documented = [d for a in appearances for d in a["documents"]]  # type: ignore[attr-defined]
    assert documented and all(set(d) == {"type", "format", "url"} for d in documented)


@pytest.mark.parametrize("entity", sorted(EXPORTERS))
def test_since_works_for_every_entity(
    site: Site, entity: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    everything = _jsonl(run_cli(monkeypatch, capsys, site.env(), "export", entity).out)
    assert everything
    recent = run_cli(monkeypatch, capsys, site.env(), "export", entity, "--since", "2100-01-01")
    assert recent.code == 0 and recent.out == ""
    if entity in ("hearings", "appearances"):
        # Keyed on the meeting's updateDate: move one meeting far forward and only it remains.
        event_id = str(everything[0]["event_id"])
        with sqlite3.connect(site.database) as connection:
            connection.execute(
                "UPDATE hearings SET update_date = '2099-06-01 00:00:00' WHERE event_id = ?",
                (event_id,),
            )
        connection.close()
        kept = _jsonl(
            run_cli(monkeypatch, capsys, site.env(), "export", entity, "--since", "2099-01-01").out
        )
        assert kept and {r["event_id"] for r in kept} == {event_id}
    bad = run_cli(monkeypatch, capsys, site.env(), "export", entity, "--since", "yesterday")
    assert bad.code == 2 and "is not a date" in bad.err
