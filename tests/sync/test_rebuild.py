"""`hearings rebuild`: the derived tables again from the payload archive, with no API request;
the export is byte-identical, and a crash in the middle leaves the old database whole."""

from __future__ import annotations

import os
import sqlite3
import time
import weakref
from contextlib import closing
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import delete, select

from hearings.reports.export import EXPORTERS, export_to_string
from hearings.store import schema
from hearings.store.archive_latest import latest_packed_versions
from hearings.store.opening import open_database
from hearings.store.search_documents import stored_index_names
from hearings.store.search_index import hearing_search, refresh_search_index
from hearings.sync.rebuild import (
    DERIVED_TABLES,
    RebuildRefused,
    _check_references,
    _check_whole,
    _swap_in,
)
from hearings.sync.rebuild_derive import _api_timestamp, _batched, _parsing
from tests.sync.harness import Harness, day_of_changes, meeting_ids


def exports(harness: Harness) -> dict[str, str]:
    return {entity: export_to_string(harness.engine(), entity) for entity in sorted(EXPORTERS)}


def search_rows(harness: Harness) -> list[tuple[object, ...]]:
    with harness.engine().connect() as connection:
        return [tuple(r) for r in connection.execute(select(hearing_search).order_by("event_id"))]


def _a_day_of_changes(harness: Harness) -> None:
    from datetime import UTC, datetime, timedelta

    from tests.sync.harness import api_time

    stamp = api_time(datetime.now(UTC) - timedelta(minutes=10))
    for event_id in meeting_ids(harness.corpus)[:5]:
        body = harness.corpus.meeting(event_id)
        assert body is not None
        body.update(meetingStatus="Postponed", updateDate=stamp)
        harness.corpus.put_meeting(body)
    assert harness.run("update").exit_code == 0


@pytest.mark.imported
def test_a_rebuild_after_deleting_every_derived_row_exports_the_same_bytes(
    harness: Harness,
) -> None:
    _a_day_of_changes(harness)
    before, index = exports(harness), search_rows(harness)
    with harness.engine().begin() as connection:
        for table in DERIVED_TABLES:
            connection.execute(delete(table))
        connection.execute(delete(hearing_search))
    requests = harness.replica.request_count
    harness.replica.stop()  # no API: the rebuild must not need it

    done = harness.cli("rebuild")

    assert done.returncode == 0, done.stderr
    assert "Rebuilt from the archive: 214 committees, 538 members, 150 meetings" in (
        done.stdout.replace("\n", " ")
    )
    assert harness.replica.request_count == requests
    for engine in harness.engines:
        engine.dispose()  # the file was replaced: read the new one
    assert exports(harness) == before
    assert search_rows(harness) == index
    with harness.engine().connect() as connection:
        kept = connection.execute(select(schema.update_logs.c.run_id)).scalars().all()
    assert len(kept) == 2  # the run log is kept, not derived


def backup_files(harness: Harness) -> list[str]:
    folder = harness.tmp_path / "backups"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.mark.imported
def test_a_database_older_than_its_archive_is_not_rebuilt(harness: Harness) -> None:
    with harness.engine().begin() as connection:
        connection.execute(delete(schema.payload_archive))
    before, backups = exports(harness), backup_files(harness)

    done = harness.cli("rebuild")

    assert done.returncode == 1
    assert "The archive has no payload for 214 committees, 538 members, 150 meetings" in done.stderr
    assert "Traceback" not in done.stderr
    assert exports(harness) == before
    assert backup_files(harness) == backups, "a refused rebuild takes no backup"


@pytest.mark.imported
def test_a_database_holding_one_meeting_its_archive_lacks_is_not_rebuilt(
    harness: Harness,
) -> None:
    archive = schema.payload_archive
    lacking = meeting_ids(harness.corpus)[0]
    with harness.engine().begin() as connection:
        connection.execute(
            delete(archive).where(archive.c.entity == "meeting", archive.c.identifier == lacking)
        )
    before, backups = exports(harness), backup_files(harness)

    done = harness.cli("rebuild")

    assert done.returncode == 1
    assert (
        "The archive has no payload for 1 meeting that the database holds, so a rebuild would "
        "drop it; nothing was changed." in " ".join(done.stderr.split())
    )
    assert "Traceback" not in done.stderr
    assert exports(harness) == before
    assert backup_files(harness) == backups, "a refused rebuild takes no backup"


def test_a_crash_during_a_rebuild_leaves_the_old_database_whole(harness: Harness) -> None:
    if not harness.database_url.startswith("sqlite"):
        return  # PostgreSQL rebuilds in one transaction; its crash safety is the server's
    harness.run("import")
    before = exports(harness)
    for engine in harness.engines:
        engine.dispose()

    done = harness.cli("rebuild", own_process=True, HEARINGS_FAILPOINT="rebuild_built")

    assert done.returncode == -9
    path = harness.tmp_path / "hearings.db"
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert exports(harness) == before
    again = harness.cli("rebuild")
    assert again.returncode == 0, again.stderr
    # The next rebuild clears what the killed one left behind.
    assert not [p for p in os.listdir(harness.tmp_path) if ".rebuild-" in p]


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core parses meetings in-process")
def test_a_killed_rebuild_leaves_no_worker_holding_the_writer_lock(harness: Harness) -> None:
    # More meetings than one parsing chunk (250), so they are parsed on worker processes.
    harness.replica.corpus = harness.corpus.scaled(600)
    assert harness.cli("import", "--congress", "119").returncode == 0

    killed = harness.cli("rebuild", own_process=True, HEARINGS_FAILPOINT="rebuild_parsed_chunk")
    assert killed.returncode == -9, killed.stderr

    # Its workers go with it (within a second): one that outlived it kept the writer lock, and
    # every update after it refused to run, for good. (A minute to see them go, for a loaded
    # machine: the loop ends as soon as an update runs.)
    deadline = time.monotonic() + 60
    update = harness.cli("update", "--congress", "119")
    while update.returncode == 1 and time.monotonic() < deadline:
        time.sleep(0.5)
        update = harness.cli("update", "--congress", "119")
    assert update.returncode == 0, update.stderr


def _stamps(harness: Harness) -> tuple[dict[str, object], dict[str, object]]:
    with harness.engine().connect() as connection:
        hearings = {
            r.event_id: (r.first_seen_at, r.last_changed_at)
            for r in connection.execute(select(schema.hearings))
        }
        witnesses = dict(
            connection.execute(
                select(schema.witnesses.c.witness_id, schema.witnesses.c.first_seen_at)
            ).all()
        )
    return hearings, witnesses


def test_first_seen_and_last_changed_times_survive_a_rebuild(harness: Harness) -> None:
    from datetime import UTC, datetime, timedelta

    harness.run("import", clock=lambda: datetime.now(UTC) - timedelta(days=3))
    day_of_changes(harness.corpus, datetime.now(UTC))  # later: new meetings, new witnesses
    assert harness.run("update").hearings_added
    before = _stamps(harness)
    assert len(set(before[0].values())) > 1 and len(set(before[1].values())) > 1

    done = harness.cli("rebuild")

    assert done.returncode == 0, done.stderr
    for engine in harness.engines:
        engine.dispose()
    assert _stamps(harness) == before


@pytest.mark.imported
def test_rebuild_of_some_entities_leaves_the_others_as_they_are(harness: Harness) -> None:
    before = exports(harness)
    event_id = meeting_ids(harness.corpus)[0]
    with harness.engine().begin() as connection:
        # Damage one meeting and one committee in the derived tables.
        connection.execute(
            schema.hearings.update()
            .where(schema.hearings.c.event_id == event_id)
            .values(title="damaged")
        )
        connection.execute(
            schema.committees.update()
            .where(schema.committees.c.system_code == "hsag00")
            .values(name="damaged")
        )

    done = harness.cli("rebuild", "--entity", "meetings")

    assert done.returncode == 0, done.stderr
    assert "Rebuilt from the archive: 150 meetings." in done.stdout
    for engine in harness.engines:
        engine.dispose()
    assert harness.hearing(event_id).title != "damaged"
    with harness.engine().connect() as connection:
        name = connection.execute(
            select(schema.committees.c.name).where(schema.committees.c.system_code == "hsag00")
        ).scalar_one()
    assert name == "damaged"  # not rebuilt: committees were not asked for

    again = harness.cli("rebuild", "--entity", "committees,members", "--entity", "printed_hearings")

    assert again.returncode == 0, again.stderr
    assert "214 committees, 538 members, 11 printed hearings." in again.stdout
    for engine in harness.engines:
        engine.dispose()
    assert exports(harness) == before


@pytest.mark.imported
def test_an_unknown_entity_is_one_sentence(harness: Harness) -> None:
    done = harness.cli("rebuild", "--entity", "hearings")

    assert done.returncode == 2
    assert "'hearings' is not one of committees, members, meetings, printed_hearings" in (
        done.stderr
    )
    assert "Traceback" not in done.stderr
    # Quoted as given: '-1' was shown as _1, the name after it was read.
    done = harness.cli("rebuild", "--entity", "-1,Bogus")
    assert "'-1', 'Bogus' are not one of" in " ".join(done.stderr.split())
    for nothing in ("", " , "):  # asked for some, named none: not "all of them"
        done = harness.cli("rebuild", "--entity", nothing)
        assert done.returncode == 2
        assert "name one of committees, members, meetings, printed_hearings" in done.stderr
        assert "Rebuilt" not in done.stdout and "Traceback" not in done.stderr


def test_index_rows_name_witnesses_and_committees_as_the_rebuilt_tables_do(
    harness: Harness,
) -> None:
    """Parsing workers index a meeting before any is written, so a witness or unknown committee
    is named from the meeting's own rows; where an earlier meeting stored another spelling, the
    row must still say what the tables say."""
    first, second = meeting_ids(harness.corpus, with_witnesses=True)[:2]
    spellings = {first: "The Heritage Foundation", second: "Heritage Foundation"}
    for event_id, organization in spellings.items():
        body = harness.corpus.meeting(event_id)
        assert body is not None
        body["witnesses"] = [
            {"name": "Dr. Jane Roe", "organization": organization, "position": "Fellow"}
        ]
        body["committees"] = [
            *(body.get("committees") or []),
            {"systemCode": "hszz99", "name": f"Select Panel on {organization}"},
        ]
        harness.corpus.put_meeting(body)
    harness.run("import")

    assert harness.cli("rebuild").returncode == 0
    for engine in harness.engines:
        engine.dispose()
    rebuilt = search_rows(harness)
    with harness.engine().begin() as connection:
        refresh_search_index(connection, [str(r[0]) for r in rebuilt])
    assert search_rows(harness) == rebuilt
    by_id = {r[0]: r for r in rebuilt}
    assert "Heritage Foundation" in str(by_id[second])
    assert "Select Panel on" in str(by_id[second])


def test_a_rebuilt_database_with_a_broken_reference_is_not_swapped_in(tmp_path: Path) -> None:
    """The shadow is built without foreign-key checks, then checked whole before the swap."""
    shadow = tmp_path / "shadow.db"
    engine = open_database(f"sqlite:///{shadow}")
    engine.dispose()
    with closing(sqlite3.connect(shadow)) as raw:
        raw.execute(
            "INSERT INTO hearing_committees (event_id, system_code, is_primary, ordinal) "
            "VALUES ('1', 'hszz99', 1, 0)"
        )
        raw.commit()
        broken = r"2 broken reference\(s\) \(the first: a row of hearing_committees"
        with pytest.raises(RebuildRefused, match=broken):
            _check_references(raw, tmp_path / "hearings.db")


def test_a_rebuilt_database_with_a_damaged_page_is_not_swapped_in(tmp_path: Path) -> None:
    """The finished shadow is read whole (SQLite's quick check) before it may replace the
    database: a damaged page stops the swap, and the database stays as it was."""
    from datetime import UTC, datetime

    database, shadow = tmp_path / "hearings.db", tmp_path / ".hearings.db.rebuild-x"
    for path in (database, shadow):
        open_database(f"sqlite:///{path}").dispose()
    with closing(sqlite3.connect(shadow)) as raw:
        raw.execute("CREATE TABLE filler (text TEXT)")
        raw.executemany("INSERT INTO filler VALUES (?)", [("x" * 300,) for _ in range(3_000)])
        raw.commit()
        page_size, pages = (
            raw.execute(f"PRAGMA {p}").fetchone()[0] for p in ("page_size", "page_count")
        )
    with shadow.open("r+b") as handle:  # a page near the end, among the filler's, overwritten
        handle.seek(page_size * (pages - 20))
        handle.write(b"\xff" * page_size)
    before = database.read_bytes()

    with pytest.raises(
        RebuildRefused, match=r"^The rebuilt database is corrupt \(.*; .* was not changed\.$"
    ):
        with closing(sqlite3.connect(shadow)) as raw:
            _check_whole(raw, shadow, database)
        _swap_in(shadow, database, datetime.now(UTC))
    assert database.read_bytes() == before


def _rename_witness(harness: Harness, event_id: str, ordinal: int, **fields: str) -> None:
    from datetime import UTC, datetime, timedelta

    from tests.sync.harness import api_time

    body = harness.corpus.meeting(event_id)
    assert body is not None
    body["witnesses"][ordinal].update(fields)
    body["updateDate"] = api_time(datetime.now(UTC) - timedelta(minutes=10))
    harness.corpus.put_meeting(body)
    assert harness.run("update").exit_code == 0


def _witness(harness: Harness, witness_id: str) -> dict[str, object]:
    with harness.engine().connect() as connection:
        row = connection.execute(
            select(schema.witnesses).where(schema.witnesses.c.witness_id == witness_id)
        ).one()
    return dict(row._mapping)


@pytest.mark.imported
def test_a_witness_follows_its_first_meeting_and_a_rebuild_keeps_it(harness: Harness) -> None:
    """Craig Singleton appears in 117895 and 117903. His row is the one 117895 (the first by
    event id) gives, as the update changes either meeting; the rebuild gives the same."""
    witness_id = "craig-singleton-" + _witness_suffix(harness, "Craig Singleton")
    # The second meeting's spelling does not reach the witness...
    _rename_witness(harness, "117903", 0, name="Mr. Craig Singleton")
    assert _witness(harness, witness_id)["honorific"] is None
    # ...the first meeting's does, its title and its organization's spelling alike.
    _rename_witness(
        harness,
        "117895",
        1,
        name="Dr. Craig Singleton",
        organization="FOUNDATION FOR DEFENSE OF DEMOCRACIES",
    )
    row = _witness(harness, witness_id)
    assert (row["honorific"], row["organization"]) == (
        "Dr.",
        "FOUNDATION FOR DEFENSE OF DEMOCRACIES",
    )
    before, index = exports(harness), search_rows(harness)
    assert "FOUNDATION FOR DEFENSE OF DEMOCRACIES" in str([r for r in index if r[0] == "117903"]), (
        "the other meeting's index row names the organization as the witness now has it"
    )

    assert harness.cli("rebuild").returncode == 0
    for engine in harness.engines:
        engine.dispose()
    assert exports(harness) == before
    assert search_rows(harness) == index


def _witness_suffix(harness: Harness, name: str) -> str:
    with harness.engine().connect() as connection:
        found = connection.execute(
            select(schema.witnesses.c.witness_id).where(schema.witnesses.c.display_name == name)
        ).scalar_one()
    return str(found).rsplit("-", 1)[1]


@given(st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)))
def test_a_versions_update_date_is_written_back_as_strftime_writes_it(moment: datetime) -> None:
    assert _api_timestamp(moment) == moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.imported
def test_the_parsing_workers_rows_are_let_go_once_written(harness: Harness) -> None:
    """The writer holds only the chunks it has not taken yet: held to the end, a 50,000-meeting
    rebuild kept every meeting's rows in memory (660 MB), and freed them all after the last."""
    with harness.engine().connect() as connection:
        versions = list(latest_packed_versions(connection, "meeting"))
        names = stored_index_names(connection)
    assert len(versions) > 40
    taken: list[weakref.ref[object]] = []
    with _parsing(_batched(versions, 10), datetime.now(), names) as parsed:
        for chunk in parsed:
            assert len(chunk.tables) + len(chunk.refused) > 0
            taken.append(weakref.ref(chunk))
            del chunk
            assert [ref() for ref in taken[:-1]] == [None] * (len(taken) - 1)
    assert len(taken) == -(-len(versions) // 10)


def _search_config(path: Path) -> list[tuple[object, ...]]:
    with closing(sqlite3.connect(path)) as raw:
        return raw.execute("SELECT k, v FROM hearing_search_config ORDER BY k").fetchall()


@pytest.mark.imported
def test_the_search_index_settings_a_rebuild_defers_are_left_as_they_were(
    harness: Harness,
) -> None:
    """The rebuild holds FTS5's merges off while it loads the index, then merges it whole: its
    settings end as they were, a user's own and the defaults (no row) alike, and it answers."""
    if not harness.database_url.startswith("sqlite"):
        return  # FTS5 is SQLite's; PostgreSQL's index has no such settings
    database = Path(harness.database_url.removeprefix("sqlite:///"))
    for own in (None, 2):
        if own is not None:
            with closing(sqlite3.connect(database)) as raw, raw:
                raw.execute(
                    "INSERT INTO hearing_search(hearing_search, rank) VALUES ('automerge', ?)",
                    (own,),
                )
        before, index = _search_config(database), search_rows(harness)

        assert harness.cli("rebuild").returncode == 0

        for engine in harness.engines:
            engine.dispose()
        assert _search_config(database) == before
        assert ("automerge", own) in before or own is None
        assert search_rows(harness) == index
        with closing(sqlite3.connect(database)) as raw:
            found = raw.execute(
                "SELECT count(*) FROM hearing_search WHERE hearing_search MATCH 'hearing'"
            ).fetchone()
            assert found is not None and found[0] > 0
            assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            # FTS5's own check of its b-trees against its content: raises if they disagree.
            raw.execute("INSERT INTO hearing_search(hearing_search) VALUES ('integrity-check')")
