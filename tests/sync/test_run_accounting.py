"""A run's figures add up, for a run that finishes and for one killed on the way, and an update
never stores what `hearings verify` calls a problem. Each case was found by probing `hearings
update` with a day of malformed records on the replica."""

from __future__ import annotations

import json
import signal
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from hearings.store import schema
from hearings.sync.runlog import RunMetrics
from hearings.sync.runner import EXIT_QUARANTINED
from tests.sync.harness import Harness, api_time, meeting_ids


def changed_today(harness: Harness, *event_ids: str) -> None:
    """Each meeting retitled upstream ten minutes ago."""
    stamp = api_time(datetime.now(UTC) - timedelta(minutes=10))
    for event_id in event_ids:
        body = harness.corpus.meeting(event_id)
        assert body is not None
        body.update(title=f"{body.get('title')} (revised)", updateDate=stamp)
        harness.corpus.put_meeting(body)


def another_event_id(entry: Any) -> Any:
    """The list entry of a meeting, naming another meeting than its url does."""
    return {**entry, "eventId": "1"}


def meetings_accounted(metrics: RunMetrics) -> int:
    quarantined = [q for q in metrics.quarantined_records if q.entity == "meeting"]
    return (
        metrics.hearings_added
        + metrics.hearings_updated
        + metrics.hearings_unchanged
        + len(quarantined)
    )


@pytest.mark.imported
def test_a_meeting_whose_list_entry_is_refused_is_counted_as_checked(harness: Harness) -> None:
    good, victim = meeting_ids(harness.corpus)[:2]
    changed_today(harness, good, victim)
    harness.replica.overrides.set_list_entry("meeting", victim, another_event_id)

    metrics = harness.run("update")

    assert metrics.exit_code == EXIT_QUARANTINED
    assert [(q.identifier, q.stage) for q in metrics.quarantined_records] == [(victim, "list")]
    assert metrics.hearings_updated == 1
    # Checked = added + updated + unchanged + quarantined: the refused entry was one too few.
    assert metrics.hearings_checked == meetings_accounted(metrics)


@pytest.mark.imported
def test_an_update_never_stores_dates_that_verify_calls_a_problem(harness: Harness) -> None:
    far_ahead, long_ago, good = meeting_ids(harness.corpus)[:3]
    changed_today(harness, far_ahead, long_ago, good)
    body = harness.corpus.meeting(far_ahead)
    assert body is not None
    body["date"] = "2150-01-01T14:00:00Z"  # within what a datetime holds, not within a Congress
    harness.corpus.put_meeting(body)
    # Listed as changed today, served with an updateDate from before 1900.
    harness.replica.overrides.set_item(
        "meeting", long_ago, lambda record: {**record, "updateDate": "1850-01-01T00:00:00Z"}
    )

    metrics = harness.run("update")

    reasons = {q.identifier: q.reason for q in metrics.quarantined_records}
    assert "out of range" in reasons[far_ahead]
    assert "before 1900" in reasons[long_ago]
    assert metrics.hearings_updated == 1
    verified = harness.cli("verify", "--json")
    assert verified.returncode == 0, json.loads(verified.stdout)["problems"]


@pytest.mark.imported
def test_a_killed_run_still_reports_the_records_it_quarantined(harness: Harness) -> None:
    good, victim = meeting_ids(harness.corpus)[:2]
    changed_today(harness, good, victim)
    harness.replica.overrides.set_list_entry("meeting", victim, another_event_id)

    # Killed inside its first batch: the quarantine entry committed before it, the batch did not.
    killed = harness.cli(
        "update", "--congress", "119", own_process=True, HEARINGS_FAILPOINT="batch_applied"
    )
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    harness.replica.overrides.clear()
    harness.run("update")

    with harness.engine().connect() as connection:
        runs = connection.execute(
            select(schema.update_logs).order_by(schema.update_logs.c.run_id)
        ).all()
    assert runs[-2].success is None and runs[-2].quarantined == 1
    report = json.loads(harness.cli("report", "--json").stdout)
    interrupted = [r for r in report["runs"] if r["outcome"] == "interrupted"]
    assert [r["quarantined"] for r in interrupted] == [1]
    assert report["summary"]["quarantined"] >= 1
