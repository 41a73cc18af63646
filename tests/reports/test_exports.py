"""`hearings export members|appearances`, and `--since DATE` for every entity."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from hearings.reports.export import EXPORT_FIELDS, EXPORTERS, export_to_string
from hearings.store import schema
from tests.reports.conftest import Site, api_time, run_cli
from tests.store.migration_steps import downgrade, upgrade


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


DAY_ONLY = "118278"  # Wed May 21 2025 10:30 a.m. ET upstream


def _dated_without_a_time(site: Site) -> None:
    """Upstream now sends DAY_ONLY's date as a bare day; an update applies it."""
    body = site.corpus.meeting(DAY_ONLY)
    assert body is not None
    body["date"] = "2025-06-24"
    body["updateDate"] = api_time(datetime.now(UTC) - timedelta(minutes=5))
    site.corpus.put_meeting(body)
    assert site.run("update").success


def test_a_meeting_dated_without_a_time_exports_its_day(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _jsonl(run_cli(monkeypatch, capsys, site.env(), "export", "hearings").out)
    _dated_without_a_time(site)

    def exported(entity: str, *options: str) -> str:
        done = run_cli(monkeypatch, capsys, site.env(), "export", entity, *options)
        assert done.code == 0, done.err
        return done.out

    hearings = _jsonl(exported("hearings"))
    assert [h for h in hearings if h["event_id"] != DAY_ONLY] == [
        h for h in before if h["event_id"] != DAY_ONLY
    ]
    [meeting] = [h for h in hearings if h["event_id"] == DAY_ONLY]
    assert meeting["start"] == "2025-06-24"
    rows = list(csv.DictReader(io.StringIO(exported("hearings", "--format", "csv"))))
    assert [r["start"] for r in rows if r["event_id"] == DAY_ONLY] == ["2025-06-24"]
    appearances = [a for a in _jsonl(exported("appearances")) if a["event_id"] == DAY_ONLY]
    assert appearances and {a["start"] for a in appearances} == {"2025-06-24"}
    witnessed = [
        a["start"]
        for w in _jsonl(exported("witnesses"))
        for a in w["appearances"]  # type: ignore[attr-defined]
        if a["event_id"] == DAY_ONLY
    ]
    assert witnessed == ["2025-06-24"] * len(appearances)

    # A rebuild from the archive gives the same bytes as the update did.
    everything = {entity: exported(entity) for entity in ("hearings", "appearances", "witnesses")}
    done = run_cli(monkeypatch, capsys, site.env(), "rebuild")
    assert done.code == 0, done.err
    assert {entity: exported(entity) for entity in everything} == everything


def test_a_database_from_before_revision_0009_gets_the_day_back(site: Site) -> None:
    _dated_without_a_time(site)
    engine = site.engine()
    expected = export_to_string(engine, "hearings")
    downgrade(engine, "0008")
    with engine.begin() as connection:
        # What 0008 stored for a bare day: midnight UTC, the evening before in Washington.
        connection.execute(
            update(schema.hearings)
            .where(schema.hearings.c.event_id == DAY_ONLY)
            .values(start_at=datetime(2025, 6, 24))
        )

    upgrade(engine)

    assert export_to_string(engine, "hearings") == expected
    assert '"start":"2025-06-24"' in expected.replace(" ", "")


def test_the_report_gives_the_day_too(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _dated_without_a_time(site)
    done = run_cli(monkeypatch, capsys, site.env(), "report", "--format", "json")
    assert done.code == 0, done.err
    changed = json.loads(done.out)["changed_hearings"]
    [meeting] = [h for h in changed if h["event_id"] == DAY_ONLY]
    assert meeting["start"] == "2025-06-24"
    assert {"field": "start", "before": "2025-05-21T14:30:00Z", "after": "2025-06-24"} in meeting[
        "changes"
    ]


@pytest.mark.parametrize("entity", sorted(EXPORT_FIELDS))
def test_a_csv_export_with_nothing_to_write_still_has_its_header(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], entity: str
) -> None:
    """A daily `--since` export on a day with no change is a CSV its reader can open: the header
    alone (it was an empty file, which pandas refuses), the same header a full export has."""
    full = _jsonl(run_cli(monkeypatch, capsys, site.env(), "export", entity).out)
    assert list(full[0]) == list(EXPORT_FIELDS[entity])
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%d")
    empty = run_cli(
        monkeypatch, capsys, site.env(), "export", entity, "--format", "csv", "--since", tomorrow
    )
    assert empty.code == 0, empty.err
    assert empty.out == ",".join(EXPORT_FIELDS[entity]) + "\r\n"
