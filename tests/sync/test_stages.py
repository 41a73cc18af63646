"""Stages with outcomes of their own: a stage that fails keeps neither the others' work from
committing nor its own failure from showing, and the exit code says which of the two happened.
Driven through the CLI against the replica, then read back with `hearings report`."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from hearings.store import schema
from hearings.sync.runner import EXIT_FAILED, EXIT_PARTIAL, EXIT_QUARANTINED
from tests.sync.harness import Harness, api_time, meeting_ids


def _change_a_meeting(harness: Harness) -> str:
    event_id = meeting_ids(harness.corpus)[0]
    body = harness.corpus.meeting(event_id)
    assert body is not None
    body.update(
        meetingStatus="Postponed", updateDate=api_time(datetime.now(UTC) - timedelta(hours=1))
    )
    harness.corpus.put_meeting(body)
    return event_id


@pytest.mark.imported
def test_a_failed_stage_after_committed_ones_is_a_partial_run(harness: Harness) -> None:
    changed = _change_a_meeting(harness)
    harness.replica.faults.fail_next(50, "500", path=r"/hearing/119")  # printed hearings are down

    done = harness.cli("update", "--congress", "119", "--json")

    assert done.returncode == EXIT_PARTIAL, done.stderr
    assert "Traceback" not in done.stderr
    metrics = json.loads(done.stdout)
    assert metrics["stages"]["meetings"] == {"status": "completed", "committed": 1, "error": None}
    assert metrics["stages"]["printed hearings"]["status"] == "failed"
    assert metrics["hearings_updated"] == 1 and metrics["success"] is False
    assert harness.hearing(changed).status == "Postponed"  # kept: it committed on its own
    report = json.loads(harness.cli("report", "--format", "json").stdout)
    (run,) = [r for r in report["runs"] if r["command"] == "update"]
    assert run["outcome"] == "partial" and run["exit_code"] == EXIT_PARTIAL
    assert any("printed hearings stage failed" in e for e in run["errors"])
    assert report["summary"]["partial"] == 1


@pytest.mark.imported
def test_with_every_stage_down_nothing_is_applied_and_the_run_failed(harness: Harness) -> None:
    harness.replica.stop()

    done = harness.cli("update", "--congress", "119", "--quiet", API_MAX_RETRIES="0")

    assert done.returncode == EXIT_FAILED
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("hearings update FAILED: Congress.gov is unavailable")
    assert re.search(r"the [a-z ]+ stages? failed\)", line)


@pytest.mark.imported
def test_a_list_entry_that_names_no_record_is_counted_logged_and_reported(
    harness: Harness,
) -> None:
    _change_a_meeting(harness)
    victim = meeting_ids(harness.corpus)[1]
    harness.replica.overrides.set_list_entry("meeting", victim, ["not", "an", "object"])
    body = harness.corpus.meeting(victim)
    assert body is not None
    body["updateDate"] = api_time(datetime.now(UTC) - timedelta(hours=1))
    harness.corpus.put_meeting(body)

    done = harness.cli("update", "--congress", "119", "--json")

    assert done.returncode == EXIT_QUARANTINED, done.stderr
    metrics = json.loads(done.stdout)
    assert metrics["list_entries_rejected"] == 1 and metrics["hearings_updated"] == 1
    assert metrics["rejected_entries"] == [
        {"entity": "meeting", "reason": "the entry is list, not an object"}
    ]
    logs = "".join(p.read_text() for p in (harness.tmp_path / "logs").glob("*.log"))
    assert "rejected a meeting list entry: the entry is list, not an object" in logs
    text = harness.cli("report").stdout
    assert "list entries rejected" in text and "not an object" in text
    with harness.engine().connect() as connection:
        logged = connection.execute(select(schema.update_logs.c.metrics)).all()
    assert any(row.metrics.get("list_entries_rejected") == 1 for row in logged)


@pytest.mark.imported
def test_a_run_that_only_rejected_list_entries_says_so(harness: Harness) -> None:
    _change_a_meeting(harness)
    victim = meeting_ids(harness.corpus)[1]
    harness.replica.overrides.set_list_entry("meeting", victim, ["not", "an", "object"])
    body = harness.corpus.meeting(victim)
    assert body is not None
    body["updateDate"] = api_time(datetime.now(UTC) - timedelta(hours=1))  # listed in the window
    harness.corpus.put_meeting(body)

    done = harness.cli("update", "--congress", "119")

    assert done.returncode == EXIT_QUARANTINED, done.stderr
    assert "succeeded with list entries rejected" in done.stdout
    assert "quarantined records" not in done.stdout  # none was: it must not say so


@pytest.mark.imported
def test_a_list_entry_nested_past_the_decoder_costs_only_itself(harness: Harness) -> None:
    from hearings.replica.overrides import Raw

    changed = _change_a_meeting(harness)
    nested, unnamed = meeting_ids(harness.corpus)[4:6]
    stamp = api_time(datetime.now(UTC) - timedelta(hours=1))
    for event_id in (nested, unnamed):
        body = harness.corpus.meeting(event_id)
        assert body is not None
        body.update(updateDate=stamp, meetingStatus="Canceled")
        harness.corpus.put_meeting(body)
    deep = b"[" * 100_000 + b"]" * 100_000
    url = f"https://api.congress.gov/v3/committee-meeting/119/house/{nested}?format=json"
    harness.replica.overrides.set_list_entry(
        "meeting", nested, Raw(b'{"url": "' + url.encode() + b'", "x": ' + deep + b"}")
    )
    harness.replica.overrides.set_list_entry("meeting", unnamed, Raw(deep))

    done = harness.cli("update", "--congress", "119", "--json")

    assert done.returncode == EXIT_QUARANTINED, done.stderr
    metrics = json.loads(done.stdout)
    assert metrics["hearings_updated"] == 1 and harness.hearing(changed).status == "Postponed"
    assert metrics["list_entries_rejected"] == 1
    (record,) = metrics["quarantined_records"]
    assert (record["identifier"], record["stage"]) == (nested, "list")
    assert "nested too deeply" in record["reason"]
    assert harness.hearing(nested).status != "Canceled"  # refused: its stored row is unchanged

    harness.replica.overrides.clear()
    again = harness.cli("update", "--congress", "119", "--json")
    assert again.returncode == 0, again.stderr
    assert harness.hearing(nested).status == "Canceled"  # retried from its url, and resolved


@pytest.mark.imported
def test_a_member_listed_twice_keeps_the_newer_entry(harness: Harness) -> None:
    """Member lists are the records themselves: of two entries for one member, the newer one
    stays, wherever in the list the stale one comes (the later entry overwrote the member)."""
    listed = sorted(harness.corpus.ids("member"))
    first, member, last = listed[0], listed[len(listed) // 2], listed[-1]
    entry = harness.corpus.member(member)
    assert entry is not None
    fresh = {**entry, "updateDate": api_time(datetime.now(UTC) - timedelta(hours=1))}
    harness.corpus.put_member(fresh)
    for other in (first, last):  # a stale copy before it and after it, as the list orders them
        stale = {
            **entry,
            "directOrderName": "Stale Name",
            "invertedOrderName": "Name, Stale",
            "lastName": "Stale",
            "updateDate": "2020-01-01T00:00:00Z",
        }
        harness.replica.overrides.set_list_entry("member", other, stale)
    with harness.engine().connect() as connection:
        stored = connection.execute(
            select(schema.members).where(schema.members.c.bioguide_id == member)
        ).one()

    done = harness.cli("import", "--congress", "119")

    assert done.returncode in (0, 3), done.stderr[-2000:]
    with harness.engine().connect() as connection:
        now = connection.execute(
            select(schema.members).where(schema.members.c.bioguide_id == member)
        ).one()
    assert (now.name, now.last_name) == (stored.name, stored.last_name)
    assert "Stale" not in f"{now.name} {now.last_name}"
