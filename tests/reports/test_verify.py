"""`hearings verify`: a healthy database passes; each kind of damage a real database can suffer
is named with its ids; a corrupt file gets one sentence and exit 1; `--reconcile` names the ids
the API and the database disagree on."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from hearings.errors import DatabaseUnreadable
from hearings.reports.reconcile import reconcile
from hearings.reports.verify import verify_database
from hearings.store.engine import create_db_engine
from tests.reports.conftest import Site, run_cli


def _raw(site: Site) -> sqlite3.Connection:
    """A plain connection with foreign keys off, the way a careless script would write."""
    connection = sqlite3.connect(site.database, isolation_level=None)
    connection.execute("PRAGMA foreign_keys=OFF")
    return connection


def _verify(site: Site) -> tuple[list[tuple[str, str, list[str]]], list[str]]:
    engine = create_db_engine(site.database_url)
    try:
        result = verify_database(engine, site.database_url)
    finally:
        engine.dispose()
    return [(p.check, p.detail, p.ids) for p in result.problems], [w.check for w in result.warnings]


def test_a_healthy_database_passes(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    problems, warnings = _verify(site)
    assert problems == []
    assert "stubs" in warnings  # the corpus holds the empty records the API really returns
    result = run_cli(monkeypatch, capsys, site.env(), "verify")
    assert result.code == 0, result.out + result.err
    assert result.out.startswith("Healthy:")
    as_json = run_cli(monkeypatch, capsys, site.env(), "verify", "--json")
    data = json.loads(as_json.out)
    assert as_json.code == 0 and data["healthy"] is True and data["problems"] == []
    assert {"integrity", "foreign_keys", "orphans", "duplicates", "required_fields"} <= set(
        data["checks"]
    )


def test_an_orphan_row_is_named(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with _raw(site) as connection:
        event_id, witness_id = connection.execute(
            "SELECT event_id, witness_id FROM witness_appearances ORDER BY event_id LIMIT 1"
        ).fetchone()
        # A delete that bypassed the cascade leaves the meeting's children behind.
        connection.execute("DELETE FROM hearings WHERE event_id = ?", (event_id,))
    problems, _ = _verify(site)
    orphans = [(detail, ids) for check, detail, ids in problems if check == "foreign_keys"]
    assert any("witness_appearances refer to hearings" in d and event_id in i for d, i in orphans)
    # The meeting had one committee: one row, and a verb that agrees.
    assert "1 row of hearing_committees refers to hearings that do not exist (event_id)" in [
        d for d, _ in orphans
    ]
    assert {check for check, _, _ in problems} == {"foreign_keys"}
    result = run_cli(monkeypatch, capsys, site.env(), "verify")
    assert result.code == 1
    assert "witness_appearances" in result.out and event_id in result.out
    del witness_id


def test_a_witness_entity_left_without_appearances_is_an_orphan(site: Site) -> None:
    with _raw(site) as connection:
        connection.execute(
            "INSERT INTO witnesses (witness_id, normalized_name, organization_key, display_name,"
            " first_seen_at) VALUES ('nobody-0000000000', 'no body', 'nowhere', 'No Body',"
            " '2026-01-01 00:00:00')"
        )
    problems, _ = _verify(site)
    assert [(c, i) for c, _, i in problems] == [("orphans", ["nobody-0000000000"])]


def test_the_same_person_as_two_witness_entities_is_a_duplicate(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with _raw(site) as connection:
        witness_id, name, organization = connection.execute(
            "SELECT witness_id, normalized_name, organization_key FROM witnesses"
            " WHERE organization_key != '' ORDER BY witness_id LIMIT 1"
        ).fetchone()
        event_id = connection.execute(
            "SELECT event_id FROM witness_appearances WHERE witness_id = ?", (witness_id,)
        ).fetchone()[0]
        # The unique index is case-sensitive: a case and spacing variant slips past it.
        connection.execute(
            "INSERT INTO witnesses (witness_id, normalized_name, organization_key, display_name,"
            " first_seen_at) VALUES ('twin-1', ?, ?, 'Twin', '2026-01-01 00:00:00')",
            (name.upper(), "  " + organization.upper()),
        )
        connection.execute(
            "INSERT INTO witness_appearances (event_id, ordinal, witness_id, name_as_given)"
            " VALUES (?, 99, 'twin-1', 'Twin')",
            (event_id,),
        )
    problems, _ = _verify(site)
    assert len(problems) == 1
    check, detail, ids = problems[0]
    assert check == "duplicates" and "more than one witness" in detail
    assert sorted(ids) == sorted([witness_id, "twin-1"])
    result = run_cli(monkeypatch, capsys, site.env(), "verify", "--json")
    assert result.code == 1
    assert json.loads(result.out)["problems"][0]["ids"] == ids


def test_repeated_document_urls_and_two_primary_committees_are_duplicates(site: Site) -> None:
    with _raw(site) as connection:
        event_id, url = connection.execute(
            "SELECT event_id, url FROM meeting_documents ORDER BY event_id LIMIT 1"
        ).fetchone()
        connection.execute(
            "INSERT INTO meeting_documents (event_id, ordinal, url) VALUES (?, 99, ?)",
            (event_id, url + " "),
        )
        (linked,) = connection.execute(
            "SELECT event_id FROM hearing_committees GROUP BY event_id HAVING count(*) > 1"
            " ORDER BY event_id LIMIT 1"
        ).fetchone()
        connection.execute(
            "UPDATE hearing_committees SET is_primary = 1 WHERE event_id = ?", (linked,)
        )
    problems, _ = _verify(site)
    assert sorted((c, d, i) for c, d, i in problems) == [
        ("duplicates", "1 meeting has more than one primary committee", [linked]),
        ("duplicates", "1 meeting lists the same meeting document URL twice", [event_id]),
    ]


def test_missing_required_fields_committees_and_bad_dates_are_named(site: Site) -> None:
    with _raw(site) as connection:
        first, second, third = (
            row[0]
            for row in connection.execute(
                "SELECT event_id FROM hearings WHERE NOT is_stub ORDER BY event_id LIMIT 3"
            )
        )
        connection.execute("UPDATE hearings SET update_date = NULL WHERE event_id = ?", (first,))
        connection.execute("DELETE FROM hearing_committees WHERE event_id = ?", (second,))
        connection.execute(
            "UPDATE hearings SET start_at = '2199-01-01 00:00:00' WHERE event_id = ?", (third,)
        )
    problems, warnings = _verify(site)
    assert sorted(problems) == [
        ("dates", "1 meeting dated before 1900 or more than five years ahead", [third]),
        ("required_fields", "1 meeting has no updateDate", [first]),
    ]
    # The API lists some meetings so (a Senate conferee meeting): a warning, not a problem.
    assert "committees" in warnings


def test_nameless_witnesses_and_committees_are_counted_in_agreeing_sentences(
    site: Site,
) -> None:
    def findings() -> list[str]:
        engine = create_db_engine(site.database_url)
        try:
            result = verify_database(engine, site.database_url)
        finally:
            engine.dispose()
        return [p.detail for p in result.problems + result.warnings if "no name" in p.detail]

    with _raw(site) as connection:
        witnesses = [r[0] for r in connection.execute("SELECT witness_id FROM witnesses LIMIT 2")]
        committees = [
            r[0] for r in connection.execute("SELECT system_code FROM committees LIMIT 2")
        ]
        connection.execute(
            "UPDATE witnesses SET display_name = ' ' WHERE witness_id = ?", witnesses[:1]
        )
        connection.execute("UPDATE committees SET name = '' WHERE system_code = ?", committees[:1])
    assert [d.split(" (")[0] for d in findings()] == [
        "1 witness has no name",
        "1 committee has no name",
    ]
    with _raw(site) as connection:
        connection.execute(
            "UPDATE witnesses SET display_name = '' WHERE witness_id = ?", witnesses[1:]
        )
        connection.execute(
            "UPDATE committees SET name = NULL WHERE system_code = ?", committees[1:]
        )
    assert [d.split(" (")[0] for d in findings()] == [
        "2 witnesses have no name",
        "2 committees have no name",
    ]


def test_the_quarantine_backlog_is_reported_without_failing(site: Site) -> None:
    with _raw(site) as connection:
        connection.execute(
            "INSERT INTO import_errors (entity, identifier, stage, reason, first_seen_at,"
            " last_seen_at, attempts, resolved) VALUES ('meeting', '123456', 'parse', 'bad',"
            " '2026-01-01', '2026-01-01', 4, 0)"
        )
    problems, warnings = _verify(site)
    assert problems == [] and "quarantine" in warnings


def test_a_quarantined_member_is_said_to_wait_for_the_next_import(site: Site) -> None:
    """An update reads no member list, so it never retries a member: only an import does."""
    with _raw(site) as connection:
        connection.execute(
            "INSERT INTO import_errors (entity, identifier, stage, reason, first_seen_at,"
            " last_seen_at, attempts, resolved) VALUES ('member', 'A000055', 'parse', 'bad',"
            " '2026-01-01', '2026-01-01', 1, 0)"
        )
    engine = create_db_engine(site.database_url)
    try:
        result = verify_database(engine, site.database_url)
    finally:
        engine.dispose()
    (quarantine,) = [w for w in result.warnings if w.check == "quarantine"]
    assert "the next update retries them" not in quarantine.detail
    assert "members wait for the next import" in quarantine.detail


def _corrupt_middle_pages(path: Path) -> None:
    with sqlite3.connect(path) as connection:
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
    connection.close()
    data = bytearray(path.read_bytes())
    pages = len(data) // page_size
    for page in range(pages // 3, pages // 3 + 8):
        data[page * page_size : (page + 1) * page_size] = bytes([0xA5]) * page_size
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", ["garbage", "middle pages"])
def test_a_corrupt_file_gets_one_sentence_and_exit_1(
    site: Site, damage: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    if damage == "garbage":
        site.database.write_bytes(os.urandom(64 * 1024))
    else:
        _corrupt_middle_pages(site.database)
    # The real process, once: no traceback reaches the screen.
    done = subprocess.run(
        [sys.executable, "-m", "hearings", "verify"],
        env={**os.environ, **site.env()},
        cwd=site.tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1 and done.stdout == ""
    (line,) = done.stderr.strip().splitlines()
    assert "corrupt" in line and str(site.database) in line and "Traceback" not in line
    as_json = run_cli(monkeypatch, capsys, site.env(), "verify", "--json")
    assert as_json.code == 1 and len(as_json.err.strip().splitlines()) == 1
    assert json.loads(as_json.out)["problems"][0]["check"] == "readable"
    for command in ("status", "report"):
        result = run_cli(monkeypatch, capsys, site.env(), command)
        if result.code == 0:
            assert damage == "middle pages"  # it may not read the damaged pages; verify does
            continue
        assert result.code == 1 and "corrupt" in result.err
        assert len(result.err.strip().splitlines()) == 1
    with pytest.raises(DatabaseUnreadable):
        engine = create_db_engine(site.database_url)
        try:
            verify_database(engine, site.database_url)
        finally:
            engine.dispose()


def test_reconcile_names_the_ids_each_side_lacks(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with site.client() as client:
        assert all(r.agrees for r in reconcile(site.engine(), client, 119, ["house", "senate"]))
    house = sorted(
        (
            e
            for e in site.corpus.ids("meeting")
            if site.corpus.record("meeting", e).chamber == "house"
        ),  # type: ignore[union-attr]
        key=int,
    )
    for new_id in ("998001", "998002"):
        body = dict(site.corpus.meeting(house[0]) or {})
        body["eventId"] = new_id
        site.corpus.put_meeting(body)
    site.corpus.remove_meeting(house[1])
    with site.client() as client:
        house_result, senate_result = reconcile(site.engine(), client, 119, ["house", "senate"])
    assert house_result.missing_locally == ["998001", "998002"]
    assert house_result.missing_upstream == [house[1]]
    assert house_result.api_count == house_result.local_count + 1
    assert senate_result.agrees and senate_result.api_count == senate_result.local_count
    result = run_cli(monkeypatch, capsys, site.env(), "verify", "--reconcile")
    assert result.code == 1
    assert "998001, 998002" in result.out and house[1] in result.out
    data = json.loads(
        run_cli(monkeypatch, capsys, site.env(), "verify", "--reconcile", "--json").out
    )
    assert data["reconcile"][0]["missing_locally"] == ["998001", "998002"]
    assert [p["check"] for p in data["problems"]] == ["reconcile", "reconcile"]


def test_reconcile_names_a_list_entry_as_the_gate_does(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An entry whose eventId names another meeting than its url is named by its url, as an
    update fetches, stores and quarantines it, and by its eventId beside that."""
    house = sorted(
        (
            e
            for e in site.corpus.ids("meeting")
            if site.corpus.record("meeting", e).chamber == "house"
        ),  # type: ignore[union-attr]
        key=int,
    )
    stored, new = house[0], "998001"
    body = dict(site.corpus.meeting(stored) or {})
    body["eventId"] = new
    site.corpus.put_meeting(body)
    for listed, event_id in ((stored, "1"), (new, "2")):
        site.replica.overrides.set_list_entry(
            "meeting", listed, lambda entry, event_id=event_id: {**entry, "eventId": event_id}
        )
    with site.client() as client:
        [house_result] = reconcile(site.engine(), client, 119, ["house"])
    assert house_result.missing_locally == [new]
    assert house_result.missing_upstream == []
    assert house_result.listed_event_ids == {stored: "1", new: "2"}

    data = json.loads(
        run_cli(monkeypatch, capsys, site.env(), "verify", "--reconcile", "--json").out
    )
    [missing] = [p for p in data["problems"] if p["check"] == "reconcile"]
    assert missing["ids"] == [new]
    assert missing["detail"].endswith(f"listed with another eventId: {new} (eventId 2)")
    [named] = [w for w in data["warnings"] if w["check"] == "reconcile"]
    assert named["ids"] == [stored, new]
    assert named["detail"].endswith(f": {stored} (eventId 1), {new} (eventId 2)")
    assert data["reconcile"][0]["listed_event_ids"] == {stored: "1", new: "2"}
