"""Selection and retries across runs: what a run must fetch again, and what it must not.

Each case here was found by probing the gate with malformed upstream data; each is driven
through the CLI against the replica."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, text

from hearings.store import schema
from hearings.sync.gate import Listed
from hearings.sync.listing import Listing
from hearings.sync.runner import EXIT_OK, EXIT_QUARANTINED
from tests.sync.harness import Harness, api_time, meeting_ids

JACKET = "60035"


def recent(minutes: int = 10) -> str:
    return api_time(datetime.now(UTC) - timedelta(minutes=minutes))


def update(harness: Harness) -> tuple[int, dict[str, Any]]:
    done = harness.cli("update", "--congress", "119", "--json")
    assert "Traceback" not in done.stderr
    return done.returncode, json.loads(done.stdout) if done.stdout.strip() else {}


def open_quarantine(harness: Harness) -> dict[tuple[str, str], Any]:
    errors = schema.import_errors
    with harness.engine().connect() as connection:
        rows = connection.execute(select(errors).where(errors.c.resolved.is_(False))).all()
    return {(r.entity, r.identifier): r for r in rows}


def test_an_entry_rejected_during_an_import_is_listed_again_by_the_next_update(
    harness: Harness,
) -> None:
    victim = meeting_ids(harness.corpus)[7]
    harness.replica.overrides.set_list_entry("meeting", victim, "not an object")
    done = harness.cli("import", "--congress", "119")
    assert done.returncode == EXIT_QUARANTINED, done.stderr
    assert harness.hearing(victim) is None

    harness.replica.overrides.clear()  # upstream fixed; its updateDate is long before the window
    code, metrics = update(harness)

    assert code == EXIT_OK, metrics.get("errors")
    assert harness.hearing(victim) is not None
    code, _ = update(harness)  # and the window is released again
    with harness.engine().connect() as connection:
        held = connection.execute(
            select(schema.sync_state.c.entity).where(schema.sync_state.c.entity.like("%.relist"))
        ).all()
    assert code == EXIT_OK and held == []


def test_a_stale_duplicate_entry_never_hides_a_change() -> None:
    fresh = Listed("meeting", "118000", 119, "house", datetime(2026, 12, 1, tzinfo=UTC))
    stale = Listed("meeting", "118000", 119, "house", datetime(2025, 5, 1, tzinfo=UTC))
    undated = Listed("meeting", "118000", 119, "house", None)
    for order in ([fresh, stale], [stale, fresh]):
        assert Listing(listed=order).by_identifier()["118000"] is fresh
    # An entry without a date says nothing is known: it must be fetched, whatever else is listed.
    assert Listing(listed=[fresh, undated, stale]).by_identifier()["118000"] is undated


@pytest.mark.imported
def test_a_refused_printed_hearing_entry_is_not_applied_in_the_same_run(harness: Harness) -> None:
    body = harness.corpus.printed_hearing(JACKET)
    assert body is not None
    title = body["title"]
    body.update(title="A new title", updateDate=recent())
    harness.corpus.put_printed_hearing(body)
    harness.replica.overrides.set_list_entry("hearing", JACKET, lambda e: {**e, "chamber": "Hosue"})

    code, metrics = update(harness)

    assert code == EXIT_QUARANTINED
    # Quarantined under its Congress and jacket number: GPO reuses jacket numbers.
    assert ("printed_hearing", f"119/{JACKET}") in open_quarantine(harness)
    with harness.engine().connect() as connection:
        stored = connection.execute(
            select(schema.printed_hearings.c.title).where(
                schema.printed_hearings.c.congress == 119,
                schema.printed_hearings.c.jacket_number == int(JACKET),
            )
        ).scalar_one()
    assert stored == title  # kept until a run lists it cleanly


@pytest.mark.imported
def test_a_quarantined_record_gone_upstream_is_closed_not_retried_forever(
    harness: Harness,
) -> None:
    victim = _quarantine_a_meeting(harness)
    harness.replica.overrides.clear()
    harness.corpus.remove_meeting(victim)  # deleted upstream: its item now answers 404

    code, metrics = update(harness)

    assert code == EXIT_OK, metrics
    assert open_quarantine(harness) == {}
    assert harness.hearing(victim) is not None  # nothing is deleted on a 404


@pytest.mark.imported
def test_a_committee_whose_parent_chain_loops_is_quarantined(harness: Harness) -> None:
    body = harness.corpus.committee("hsju01")
    assert body is not None
    body.update(parent={"systemCode": "hsju01", "name": "Itself"}, updateDate=recent())
    harness.corpus.put_committee(body, chamber="house", congresses=[119])

    code, metrics = update(harness)

    assert code == EXIT_QUARANTINED, metrics
    (record,) = metrics["quarantined_records"]
    assert record["identifier"] == "hsju01" and "leads back to itself" in record["reason"]
    with harness.engine().connect() as connection:
        parent = connection.execute(
            select(schema.committees.c.parent_code).where(
                schema.committees.c.system_code == "hsju01"
            )
        ).scalar_one()
    assert parent == "hsju00"


@pytest.mark.imported
def test_a_record_is_quarantined_once_per_run(harness: Harness) -> None:
    new_code = "hszz77"
    harness.corpus.put_committee(
        {"systemCode": new_code, "type": "Subcommittee", "updateDate": recent(), "history": []},
        chamber="house",
        congresses=[119],
    )
    for event_id in meeting_ids(harness.corpus)[:2]:
        body = harness.corpus.meeting(event_id)
        assert body is not None
        body["committees"] = [{"systemCode": new_code, "name": "Zz", "url": "x"}]
        body["updateDate"] = recent()
        harness.corpus.put_meeting(body)

    code, metrics = update(harness)

    assert code == EXIT_QUARANTINED
    assert [r["identifier"] for r in metrics["quarantined_records"]] == [new_code]
    assert open_quarantine(harness)[("committee", new_code)].attempts == 1


def exported(harness: Harness, entity: str) -> str:
    done = harness.cli("export", entity)
    assert done.returncode == 0, done.stderr
    return done.stdout


def exported_update_date(harness: Harness, entity: str, key: str, ident: str) -> str:
    rows = [json.loads(line) for line in exported(harness, entity).splitlines()]
    (row,) = [r for r in rows if r[key] == ident]
    return str(row["update_date"])


@pytest.mark.imported
def test_a_committee_touched_upstream_but_unchanged_is_fetched_once(harness: Harness) -> None:
    body = harness.corpus.committee("hsag00")
    assert body is not None
    stamp = recent()
    body["updateDate"] = stamp  # the content stays as it was
    harness.corpus.put_committee(body, chamber="house", congresses=[119])

    code, metrics = update(harness)

    assert code == EXIT_OK, metrics
    assert metrics["committees_updated"] == 0  # the same content: unchanged
    assert exported_update_date(harness, "committees", "system_code", "hsag00") == stamp
    fetched = harness.replica.stats.by_kind["committee_item"]
    assert fetched >= 1
    assert update(harness)[0] == EXIT_OK
    assert harness.replica.stats.by_kind["committee_item"] == fetched  # not fetched again
    before = exported(harness, "committees")
    done = harness.cli("rebuild")
    assert done.returncode == 0, done.stderr
    assert exported(harness, "committees") == before


@pytest.mark.imported
def test_a_member_touched_upstream_but_unchanged_follows_the_new_date(harness: Harness) -> None:
    body = harness.corpus.member("A000055")
    assert body is not None
    stamp = recent()
    body["updateDate"] = stamp  # the content stays as it was
    harness.corpus.put_member(body)

    done = harness.cli("import", "--congress", "119", "--json")

    assert done.returncode == EXIT_OK, done.stderr
    assert json.loads(done.stdout)["members_updated"] == 0  # the same content: unchanged
    assert exported_update_date(harness, "members", "bioguide_id", "A000055") == stamp
    before = exported(harness, "members")
    done = harness.cli("rebuild", "--entity", "members")
    assert done.returncode == 0, done.stderr
    assert exported(harness, "members") == before


@pytest.mark.imported
def test_a_printed_hearing_touched_upstream_but_unchanged_is_fetched_once(
    harness: Harness,
) -> None:
    body = harness.corpus.printed_hearing(JACKET)
    assert body is not None
    stamp = recent()
    body["updateDate"] = stamp  # the content stays as it was
    harness.corpus.put_printed_hearing(body)

    code, metrics = update(harness)

    assert code == EXIT_OK, metrics
    assert metrics["printed_hearings_updated"] == 0  # the same content: unchanged
    with harness.engine().connect() as connection:
        stored = connection.execute(
            select(schema.printed_hearings.c.update_date).where(
                schema.printed_hearings.c.congress == 119,
                schema.printed_hearings.c.jacket_number == int(JACKET),
            )
        ).scalar_one()
    assert api_time(stored.replace(tzinfo=UTC)) == stamp
    fetched = harness.replica.stats.by_kind["hearing_item"]
    assert update(harness)[0] == EXIT_OK
    assert harness.replica.stats.by_kind["hearing_item"] == fetched  # not fetched again


@pytest.mark.imported
@pytest.mark.parametrize("stored", ["[1]", '"house"', "7"])
def test_a_quarantine_locator_of_another_shape_does_not_stop_every_update(
    harness: Harness, stored: str
) -> None:
    # A JSON column takes any JSON: a locator that is no object (written by another program, or
    # damaged) failed the meetings stage of every later update in `dict(locator)`, for good.
    _quarantine_a_meeting(harness)
    harness.replica.overrides.clear()
    with harness.engine().begin() as connection:
        connection.execute(text("UPDATE import_errors SET locator = :stored"), {"stored": stored})

    code, metrics = update(harness)

    assert code == EXIT_OK, metrics
    assert open_quarantine(harness) == {}  # retried from where the database holds it


# SQLite alone: PostgreSQL refuses text in a number column.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.imported
def test_a_quarantine_entry_whose_attempts_are_text_is_written_again(harness: Harness) -> None:
    # SQLite keeps text in a number column: `'many' + 1` failed the entry's write in every run,
    # so the record stayed quarantined with the first run's reason and payload.
    victim = _quarantine_a_meeting(harness)
    with harness.engine().begin() as connection:
        connection.execute(text("UPDATE import_errors SET attempts = 'many'"))

    code, metrics = update(harness)

    assert code == EXIT_QUARANTINED, metrics
    assert open_quarantine(harness)[("meeting", victim)].attempts == 1


# SQLite alone: PostgreSQL refuses such a value.
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
@pytest.mark.imported
def test_a_high_water_mark_that_cannot_be_read_fails_the_run_in_a_sentence(
    harness: Harness,
) -> None:
    # SQLite keeps any text in a date-time column: the run failed as "ValueError: Invalid
    # isoformat string: 'garbage'", run after run, saying nothing of where or what to do.
    with harness.engine().begin() as connection:
        connection.execute(text("UPDATE sync_state SET high_water_mark = 'garbage'"))

    done = harness.cli("update", "--congress", "119")

    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert (
        "A value stored in the database cannot be read (Invalid isoformat string: 'garbage'); "
        "`hearings verify` names each such value"
    ) in done.stderr


def _quarantine_a_meeting(harness: Harness) -> str:
    """A changed meeting that upstream serves under another Congress: quarantined by an update.
    Its event id."""
    victim = meeting_ids(harness.corpus)[3]
    body = harness.corpus.meeting(victim)
    assert body is not None
    body["updateDate"] = recent()
    harness.corpus.put_meeting(body)
    harness.replica.overrides.set_item("meeting", victim, lambda m: {**m, "congress": 118})
    assert update(harness)[0] == EXIT_QUARANTINED
    return victim
