"""`hearings status`: one screen with the database's location and size, what it holds (in all
and by Congress), the last successful run and its age, the high-water marks, the backups and the
quarantine backlog."""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hearings.config import Settings
from hearings.replica import Corpus, ReplicaServer
from hearings.reports.status import describe_age, gather_status
from hearings.store.opening import open_database
from hearings.web.app import create_app
from tests.reports.conftest import Site, run_cli
from tests.two_congresses import MEETINGS_118, import_congresses, two_congress_corpus


def test_status_of_an_imported_database(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (site.tmp_path / "backups").mkdir()
    for stamp in ("20260101_000000", "20260102_000000"):
        (site.tmp_path / "backups" / f"hearings_backup_{stamp}.db").write_bytes(b"x" * 10)
    with sqlite3.connect(site.database) as connection:
        connection.execute(
            "INSERT INTO import_errors (entity, identifier, stage, reason, first_seen_at,"
            " last_seen_at, attempts, resolved) VALUES ('meeting', '1', 'parse', 'bad',"
            " '2026-01-01', '2026-01-01', 1, 0)"
        )
    connection.close()
    later = datetime.now(UTC) + timedelta(hours=2)
    status = gather_status(site.settings(), site.engine(), now=later)
    assert status.database == str(site.database.resolve())
    assert status.size_bytes and status.size_bytes >= site.database.stat().st_size
    assert status.counts["meetings"] == 150 and status.counts["committees"] > 100
    assert status.last_success is not None and status.last_success.command == "import"
    assert status.last_success.age_seconds is not None and status.last_success.age_seconds > 7000
    assert {(m.chamber, m.entity) for m in status.high_water_marks} == {
        ("all", "committees"),
        ("all", "meetings"),
        ("all", "printed_hearings"),
    }
    # The meetings' mark is the newest change the import applied; the committees' and printed
    # hearings' is the start of the run that read their whole list (later than any change they
    # hold), and status says which.
    marks = {m.entity: m for m in status.high_water_marks}
    with sqlite3.connect(site.database) as connection:
        newest_meeting, newest_committee, started = connection.execute(
            "SELECT (SELECT MAX(update_date) FROM hearings), (SELECT MAX(update_date) FROM"
            " committees), (SELECT start_time FROM update_logs WHERE run_id = ?)",
            (status.last_success.run_id,),
        ).fetchone()
    connection.close()
    assert marks["meetings"].kind == "newest_change"
    assert marks["meetings"].high_water_mark == _z(newest_meeting)
    for entity in ("committees", "printed_hearings"):
        assert marks[entity].kind == "run_start"
        assert marks[entity].run_id == status.last_success.run_id
        assert marks[entity].high_water_mark == _z(started)
    assert _z(newest_committee) < _z(started)
    assert status.backup_count == 2 and status.newest_backup is not None
    assert status.newest_backup.path.endswith("hearings_backup_20260102_000000.db")
    assert (status.quarantine_open, status.quarantine_by_entity) == (1, {"meeting": 1})

    shown = run_cli(monkeypatch, capsys, site.env(), "status")
    assert shown.code == 0, shown.err
    assert len(shown.out.splitlines()) <= 24  # one screen
    for expected in ("150 meetings", "import #", "high-water marks", "2 in", "1 open (1 meeting)"):
        assert expected in shown.out
    words = " ".join(shown.out.split())
    run = status.last_success.run_id
    assert f"committees: {_minute(started)}, start of run #{run} (Congress 119)" in words
    assert f"meetings: {_minute(newest_meeting)}, newest change seen (Congress 119)" in words
    as_json = json.loads(run_cli(monkeypatch, capsys, site.env(), "status", "--json").out)
    assert as_json["counts"]["meetings"] == 150 and as_json["backup_count"] == 2
    by_entity = {m["entity"]: m for m in as_json["high_water_marks"]}
    assert by_entity["committees"]["kind"] == "run_start"
    assert by_entity["committees"]["run_id"] == run
    assert by_entity["meetings"]["kind"] == "newest_change"


def _z(stored: str) -> str:
    """A time as SQLite stores it (`2025-06-11 14:00:00.123456`), as status writes it."""
    return stored[:19].replace(" ", "T") + "Z"


def _minute(stored: str) -> str:
    return stored[:16]


def test_status_without_a_database_says_so(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = {**site.env(), "DATABASE_URL": f"sqlite:///{site.tmp_path / 'absent.db'}"}
    for command in ("status", "report", "verify"):
        result = run_cli(monkeypatch, capsys, env, command)
        assert result.code == 1 and "There is no database at" in result.err
    assert not (site.tmp_path / "absent.db").exists()


def test_ages_read_like_people_write_them() -> None:
    assert describe_age(30) == "under a minute"
    assert describe_age(5 * 60) == "5 min"
    assert describe_age(3 * 3600 + 12 * 60) == "3 h 12 min"
    assert describe_age(2 * 86400 + 4 * 3600) == "2 days 4 h"
    assert describe_age(86400) == "1 day"


def test_status_breaks_counts_down_by_congress(
    tmp_path: Path,
    packaged_corpus: Corpus,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    database = tmp_path / "two.db"
    settings = Settings(
        database_url=f"sqlite:///{database}",
        backup_dir=tmp_path / "backups",
        log_dir=tmp_path / "logs",
    )
    corpus = two_congress_corpus(packaged_corpus)
    import_congresses(settings, corpus)
    engine = open_database(settings.database_url)
    status = gather_status(settings, engine)
    engine.dispose()
    by_congress = {c.congress: c for c in status.by_congress}
    assert [c.congress for c in status.by_congress] == [119, 118]
    assert by_congress[118].meetings == len(MEETINGS_118)
    assert by_congress[118].printed_hearings == 1
    assert by_congress[119].meetings == 150
    assert sum(c.meetings for c in status.by_congress) == status.counts["meetings"]
    assert sum(c.printed_hearings for c in status.by_congress) == status.counts["printed hearings"]
    assert sum(c.witness_appearances for c in status.by_congress) == status.counts["appearances"]
    # Witnesses who appeared in both Congresses count in each, and once in the total.
    assert sum(c.witnesses for c in status.by_congress) > status.counts["witnesses"]
    first, last = by_congress[118].first_meeting, by_congress[118].last_meeting
    assert first is not None and last is not None and first.year == last.year == 2023

    env = {
        "DATABASE_URL": settings.database_url,
        "BACKUP_DIR": str(tmp_path / "backups"),
        "LOG_DIR": str(tmp_path / "logs"),
    }
    shown = run_cli(monkeypatch, capsys, env, "status")
    assert shown.code == 0, shown.err
    # The table wraps long lines at the terminal's width; read the words.
    words = " ".join(shown.out.replace("│", " ").split())
    assert "by Congress" in words
    assert f"118th: {len(MEETINGS_118)} meetings 2023-" in words
    assert "1 printed hearing ·" in words
    assert "119th: 150 meetings 2025-" in words
    as_json = json.loads(run_cli(monkeypatch, capsys, env, "status", "--json").out)
    assert as_json["last_success"]["congress"] == 119
    assert [c["congress"] for c in as_json["by_congress"]] == [119, 118]
    assert as_json["by_congress"][1] == {
        "congress": 118,
        "meetings": len(MEETINGS_118),
        "printed_hearings": 1,
        "witness_appearances": by_congress[118].witness_appearances,
        "witnesses": by_congress[118].witnesses,
        "committees_with_meetings": by_congress[118].committees_with_meetings,
        "first_meeting": first.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "last_meeting": last.strftime("%Y-%m-%dT%H:%M:%SZ"),
    }

    # The imports and the update can all start within one second here, and a mark, kept to the
    # second, only moves forward: the update then left the imports' marks (seen once in CI).
    # As if the imports had run a minute ago.
    with sqlite3.connect(database) as connection:
        connection.execute(
            "UPDATE sync_state SET high_water_mark = datetime(high_water_mark, '-1 minute')"
        )
    connection.close()
    # One update across every Congress held: the last successful run names them all.
    with ReplicaServer(corpus) as replica:
        live = {**env, "CONGRESS_API_BASE_URL": replica.base_url, "CONGRESS_API_KEY": "k"}
        updated = run_cli(monkeypatch, capsys, live, "update", "--quiet")
    assert updated.code == 0, updated.err
    words = " ".join(run_cli(monkeypatch, capsys, env, "status").out.replace("│", " ").split())
    assert "update #3 (Congresses 118-119) ended" in words
    # Marks the update moved together are one line naming both Congresses.
    assert re.search(
        r"committees: [0-9-]+ [0-9:]+, start of run #3 \(Congresses 118-119\)", words
    ), words
    as_json = json.loads(run_cli(monkeypatch, capsys, env, "status", "--json").out)
    assert as_json["last_success"]["congresses"] == [118, 119]
    # The web app's /api/update-status says the same.
    engine = open_database(settings.database_url)
    admin = Settings(**{**settings.model_dump(), "admin_token": "status-admin"})
    with TestClient(create_app(engine, settings=admin)) as client:
        web = client.get("/api/update-status").json()
        runs = client.get("/admin", headers={"Authorization": "Bearer status-admin"}).text
    engine.dispose()
    assert web["last_successful_run"]["congresses"] == [118, 119]
    assert web["latest_run"]["run_id"] == as_json["last_success"]["run_id"]
    # The admin's run list names the Congresses each run covered, one or several.
    commands = re.findall(r"<td>\d+</td><td>([^<]*)</td>", runs)
    assert commands == ["update 118th–119th", "import 119th", "import 118th"]


def test_a_congress_whose_first_meeting_came_without_a_time_begins_on_that_day(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The span of a Congress's meetings gives a meeting dated without a time as its day, as
    the exports and the JSON API give that meeting's start."""
    with sqlite3.connect(site.database) as connection:
        # Stored as a run stores `"date": "2025-01-02"`: midnight Eastern, flagged a day.
        connection.execute(
            "UPDATE hearings SET start_at = '2025-01-02 05:00:00.000000', start_date_only = 1"
            " WHERE event_id = (SELECT MIN(event_id) FROM hearings WHERE start_at IS NOT NULL)"
        )
    connection.close()
    as_json = json.loads(run_cli(monkeypatch, capsys, site.env(), "status", "--json").out)
    [congress] = as_json["by_congress"]
    assert congress["first_meeting"] == "2025-01-02"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", congress["last_meeting"])
    shown = run_cli(monkeypatch, capsys, site.env(), "status")
    assert "119th: 150 meetings 2025-01-02 to " in " ".join(shown.out.replace("│", " ").split())


def test_a_congress_span_is_given_in_washington_days(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A meeting at 8 p.m. on January 1 in Washington is 01:00 UTC on January 2: the screen's
    span says January 1, as every page does; the JSON gives the UTC moment."""
    with sqlite3.connect(site.database) as connection:
        connection.execute(
            "UPDATE hearings SET start_at = '2025-01-02 01:00:00.000000', start_date_only = 0"
            " WHERE event_id = (SELECT MIN(event_id) FROM hearings WHERE start_at IS NOT NULL)"
        )
    connection.close()
    as_json = json.loads(run_cli(monkeypatch, capsys, site.env(), "status", "--json").out)
    assert as_json["by_congress"][0]["first_meeting"] == "2025-01-02T01:00:00Z"
    shown = run_cli(monkeypatch, capsys, site.env(), "status")
    assert "119th: 150 meetings 2025-01-01 to " in " ".join(shown.out.replace("│", " ").split())


@pytest.mark.parametrize(
    ("ahead", "said"),
    [
        # Within a minute: rounding of the stored time, not a clock ahead ("in the future ago").
        ("+10 seconds", "UTC, under a minute ago"),
        ("+2 hours", "UTC, later than this machine's clock says it is now"),
    ],
)
def test_a_run_that_ended_after_this_machines_now_is_said_so_in_plain_words(
    site: Site,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    ahead: str,
    said: str,
) -> None:
    """A database from a machine whose clock is ahead, or a status read in the second a run
    ended: it said "in the future ago"."""
    with sqlite3.connect(site.database) as connection:
        connection.execute(
            "UPDATE update_logs SET end_time = strftime('%Y-%m-%d %H:%M:%f000', 'now', ?)",
            (ahead,),
        )
    connection.close()
    shown = run_cli(monkeypatch, capsys, site.env(), "status")
    words = " ".join(shown.out.replace("│", " ").split())
    assert said in words
    assert "future ago" not in words


def test_the_databases_a_rebuild_set_aside_are_counted_with_their_size(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    before = run_cli(monkeypatch, capsys, site.env(), "status", "--json")
    assert json.loads(before.out)["set_aside"] == []
    assert "set aside" not in run_cli(monkeypatch, capsys, site.env(), "status").out

    rebuilt = run_cli(monkeypatch, capsys, site.env(), "rebuild")
    assert rebuilt.code == 0, rebuilt.err

    (kept,) = site.database.parent.glob(f"{site.database.name}.replaced-*")
    as_json = json.loads(run_cli(monkeypatch, capsys, site.env(), "status", "--json").out)
    assert as_json["set_aside"] == [
        {"path": str(kept), "created_at": None, "size_bytes": kept.stat().st_size}
    ]
    words = " ".join(run_cli(monkeypatch, capsys, site.env(), "status").out.split())
    assert "set aside 1 earlier database beside it, kept by restores and rebuilds (" in words
    assert (
        f"newest {kept.name}. The next restore or rebuild deletes those older than "
        "BACKUP_RETENTION_DAYS, keeping the newest." in words
    )


def test_status_names_no_held_window_an_import_leaves_that_changes_nothing(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An import that read its lists itself holds no window for them: the marks at its start
    cover them. Status said "the next update lists again from" an hour before the import, after
    every import, a line about nothing. A window held further back (an entry that named no
    record, a list an earlier slice kept days ago) is shown."""
    imported = run_cli(monkeypatch, capsys, site.env(), "import", "--congress", "119", "--quiet")
    assert imported.code == 0, imported.err
    with sqlite3.connect(site.database) as connection:
        held = connection.execute(
            "SELECT entity FROM sync_state WHERE entity LIKE '%.relist' ORDER BY entity"
        ).fetchall()
    connection.close()
    assert held == []
    shown = run_cli(monkeypatch, capsys, site.env(), "status")
    assert shown.code == 0, shown.err
    assert "lists again from" not in " ".join(shown.out.split())

    with sqlite3.connect(site.database) as connection:
        # What an earlier slice's list, read three days ago, leaves held.
        connection.execute(
            "INSERT INTO sync_state (congress, chamber, entity, high_water_mark, updated_at)"
            " SELECT congress, chamber, 'committees.relist', datetime(high_water_mark, '-3 days'),"
            " updated_at FROM sync_state WHERE entity = 'committees'"
        )
    connection.close()
    marks = gather_status(site.settings(), site.engine()).high_water_marks
    assert [m.entity for m in marks if m.kind == "relist"] == ["committees.relist"]
    words = " ".join(run_cli(monkeypatch, capsys, site.env(), "status").out.split())
    assert "committees: the next update lists again from" in words


def test_status_says_a_list_held_whole_is_listed_again_whole(
    site: Site, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A member list read short is held with no window: status said the next update "lists again
    from 1900-01-01", a date that means nothing to a reader."""
    imported = run_cli(monkeypatch, capsys, site.env(), "import", "--congress", "119", "--quiet")
    assert imported.code == 0, imported.err
    with sqlite3.connect(site.database) as connection:
        # What an import that read the member list short leaves (sync/member_lists.py).
        connection.execute(
            "INSERT INTO sync_state (congress, chamber, entity, high_water_mark, updated_at)"
            " VALUES (119, 'all', 'members.relist', '1900-01-01 00:00:00.000000',"
            " '2026-12-05 00:00:00.000000')"
        )
    connection.close()
    words = " ".join(run_cli(monkeypatch, capsys, site.env(), "status").out.split())
    assert "members: the next update lists it again, whole (Congress 119)" in words
    assert "1900" not in words
    shown = json.loads(run_cli(monkeypatch, capsys, site.env(), "status", "--json").out)
    held = [m for m in shown["high_water_marks"] if m["entity"] == "members.relist"]
    assert held == [
        {
            "congress": 119,
            "chamber": "all",
            "entity": "members.relist",
            "high_water_mark": "1900-01-01T00:00:00Z",
            "kind": "relist",
            "run_id": None,
        }
    ]
