"""`hearings update`: incremental, batched, isolated, and honest about what it did."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from hearings.store import schema
from hearings.sync.failpoints import FailureInjector
from hearings.sync.runner import EXIT_FAILED, EXIT_OK, EXIT_QUARANTINED
from tests.sync.harness import Harness, api_time, day_of_changes, snapshot


def now() -> datetime:
    return datetime.now(UTC)


def seed_that_fails_one_of(event_ids: list[str], *, rate: float) -> int:
    """A seed under which `--simulate-failures rate` picks at least one of these records."""
    for seed in range(10_000):
        if any(FailureInjector(rate=rate, seed=seed).should_fail(e) for e in event_ids):
            return seed
    raise AssertionError("no seed picks a record")


def meetings_in_overlap(harness: Harness) -> int:
    """Stored meetings whose updateDate lies in the hour before the high-water mark."""
    with harness.engine().connect() as connection:
        mark = connection.execute(
            select(schema.sync_state.c.high_water_mark).where(
                schema.sync_state.c.entity == "meetings"
            )
        ).scalar_one()
    return harness.count(
        schema.hearings, schema.hearings.c.update_date >= mark - timedelta(hours=1)
    )


@pytest.mark.imported
def test_a_day_of_changes_is_applied_with_exact_counts(harness: Harness) -> None:
    overlap = meetings_in_overlap(harness)
    expected = day_of_changes(harness.corpus, now())
    requests_before = harness.replica.stats.snapshot()["total"]

    metrics = harness.run("update")

    assert metrics.exit_code == EXIT_QUARANTINED
    # The overlap hour before the high-water mark is listed again, found current, and skipped.
    assert metrics.hearings_checked == expected.checked + overlap
    assert metrics.hearings_added == expected.added
    assert metrics.hearings_updated == expected.updated
    assert metrics.hearings_unchanged == expected.unchanged + overlap
    assert {q.identifier for q in metrics.quarantined_records} == expected.quarantined
    assert metrics.committees_updated >= 1
    assert metrics.witnesses_updated >= 1
    # The malformed records' batch-mates all committed.
    for event_id in expected.new_event_ids + expected.changed_event_ids:
        assert harness.hearing(event_id) is not None
    assert harness.hearing(expected.changed_event_ids[0]).status == "Canceled"
    new_committee = harness.count(
        schema.committees, schema.committees.c.system_code == expected.new_subcommittee
    )
    assert new_committee == 1
    with harness.engine().connect() as connection:
        committee = connection.execute(
            select(schema.committees).where(
                schema.committees.c.system_code == expected.new_subcommittee
            )
        ).one()
    assert committee.parent_code == "hsap00" and committee.committee_type == "Subcommittee"
    # Cost scales with the changes: list pages, the changed details, the new committee.
    requests = harness.replica.stats.snapshot()["total"] - requests_before
    assert requests <= expected.checked + 10
    assert metrics.api_requests == requests


@pytest.mark.imported
def test_quarantined_records_are_retried_and_resolved_on_the_next_run(harness: Harness) -> None:
    expected = day_of_changes(harness.corpus, now())
    harness.run("update")
    fixed = harness.corpus.meeting("990001")
    assert fixed is not None
    for event_id in expected.quarantined:
        harness.corpus.put_meeting(dict(fixed, eventId=event_id, title=f"Fixed {event_id}"))

    metrics = harness.run("update")

    assert metrics.exit_code == EXIT_OK
    assert metrics.quarantine_retried >= len(expected.quarantined)
    assert metrics.quarantine_resolved == len(expected.quarantined)
    assert harness.count(schema.import_errors, schema.import_errors.c.resolved.is_(False)) == 0
    for event_id in expected.quarantined:
        assert harness.hearing(event_id).title == f"Fixed {event_id}"


@pytest.mark.imported
def test_simulated_failures_in_batch_mode_lose_no_good_record(harness: Harness) -> None:
    expected = day_of_changes(harness.corpus, now())

    failing = harness.run("update", failure_rate=0.3, seed=7, batch_size=4)

    assert failing.success and failing.exit_code == EXIT_QUARANTINED
    simulated = {q.identifier for q in failing.quarantined_records if q.stage == "apply"}
    assert simulated, "seed 7 at 30% picks at least one record"
    assert failing.batch_processing.batches_failed >= 1
    committed = set(expected.new_event_ids + expected.changed_event_ids) - simulated
    for event_id in committed:
        assert harness.hearing(event_id) is not None
    for event_id in simulated & set(expected.new_event_ids):
        assert harness.hearing(event_id) is None

    retry = harness.run("update")

    assert retry.quarantine_resolved == len(simulated)
    assert (
        harness.count(
            schema.import_errors,
            schema.import_errors.c.stage == "apply",
            schema.import_errors.c.resolved.is_(False),
        )
        == 0
    )


@pytest.mark.imported
def test_single_transaction_mode_commits_nothing_on_failure(harness: Harness) -> None:
    before = snapshot(harness.engine())
    expected = day_of_changes(harness.corpus, now())
    seed = seed_that_fails_one_of(expected.new_event_ids + expected.changed_event_ids, rate=0.05)

    metrics = harness.run("update", batch=False, failure_rate=0.05, seed=seed)

    assert metrics.exit_code == EXIT_FAILED and not metrics.success
    assert metrics.batch_processing.enabled is False
    assert snapshot(harness.engine()) == before
    # The committees stage ran before the failure, inside the transaction rolled back.
    assert metrics.stages["committees"].committed == 0 and metrics.committed == 0
    with harness.engine().connect() as connection:
        last = connection.execute(
            select(schema.update_logs).order_by(schema.update_logs.c.run_id.desc())
        ).first()
    assert last is not None and last.success is False and last.mode == "single"


@pytest.mark.imported
def test_single_transaction_mode_applies_everything_when_nothing_fails(harness: Harness) -> None:
    expected = day_of_changes(harness.corpus, now())

    metrics = harness.run("update", batch=False)

    assert metrics.exit_code == EXIT_QUARANTINED
    assert (metrics.hearings_added, metrics.hearings_updated) == (expected.added, expected.updated)
    assert metrics.as_dict()["batch_processing"]["enabled"] is False


@pytest.mark.parametrize("batch_modes", [(True, False), (False, True)])
def test_toggling_the_flag_between_runs_reaches_the_same_state(
    harness: Harness, batch_modes: tuple[bool, bool]
) -> None:
    harness.run("import", batch=batch_modes[0])
    day_of_changes(harness.corpus, now())
    harness.run("update", batch=batch_modes[1])
    exported = harness.export()
    assert len(exported.splitlines()) == 150 + 3


@pytest.mark.imported
def test_failed_batches_roll_back_added_and_updated_meetings_with_every_child(
    harness: Harness,
) -> None:
    before = snapshot(harness.engine())
    expected = day_of_changes(harness.corpus, now())

    # Rate 1.0: every record's apply step raises inside its transaction.
    metrics = harness.run("update", failure_rate=1.0, batch_size=3)

    assert metrics.success and metrics.hearings_added == 0 and metrics.hearings_updated == 0
    after = snapshot(harness.engine())
    # Only reference data (the new committee) may differ: no meeting row or child row changed.
    for table in before:
        if table == "committees":
            continue
        assert after[table] == before[table], table
    for event_id in expected.new_event_ids:
        assert harness.hearing(event_id) is None


@pytest.mark.imported
def test_metrics_have_every_documented_field(harness: Harness) -> None:
    day_of_changes(harness.corpus, now())
    data = harness.run("update").as_dict()
    for key in (
        "start_time",
        "end_time",
        "duration_seconds",
        "hearings_checked",
        "hearings_updated",
        "hearings_added",
        "hearings_unchanged",
        "committees_updated",
        "witnesses_updated",
        "api_requests",
        "error_count",
        "errors",
        "quarantined",
        "success",
        "anomalies",
    ):
        assert key in data, key
    assert set(data["batch_processing"]) >= {
        "enabled",
        "batch_size",
        "batch_count",
        "batches_succeeded",
        "batches_failed",
        "batch_errors",
    }
    with harness.engine().connect() as connection:
        row = connection.execute(
            select(schema.update_logs).order_by(schema.update_logs.c.run_id.desc())
        ).first()
    assert row is not None and row.hearings_added == data["hearings_added"]
    assert row.metrics["hearings_checked"] == data["hearings_checked"]
    json.dumps(data)


@pytest.mark.imported
def test_checkpoints_record_before_images_of_changed_meetings(harness: Harness) -> None:
    expected = day_of_changes(harness.corpus, now())
    changed = expected.changed_event_ids[0]
    old_status = harness.hearing(changed).status

    metrics = harness.run("update", batch_size=5)

    with harness.engine().connect() as connection:
        checkpoints = connection.execute(
            select(schema.batch_checkpoints).where(
                schema.batch_checkpoints.c.run_id == metrics.run_id
            )
        ).all()
    assert len(checkpoints) == metrics.batch_processing.batch_count
    assert all(c.status == "committed" for c in checkpoints)
    touched = {e for c in checkpoints for e in c.event_ids}
    assert set(expected.changed_event_ids) <= touched
    image = next(c.before_images[changed] for c in checkpoints if changed in c.before_images)
    assert image["hearing"]["status"] == old_status
    for event_id in expected.new_event_ids:
        assert all(event_id not in c.before_images for c in checkpoints)


@pytest.mark.imported
def test_a_missed_week_is_caught_up(harness: Harness) -> None:
    ten_days_ago = now() - timedelta(days=10)
    body = harness.corpus.meeting("117214")
    assert body is not None
    body.update(meetingStatus="Canceled", updateDate=api_time(ten_days_ago))
    harness.corpus.put_meeting(body)
    # The last successful run was before the change: its mark is older than the lookback.
    with harness.engine().begin() as connection:
        connection.execute(schema.sync_state.update().values(high_water_mark=datetime(2026, 1, 1)))

    metrics = harness.run("update", lookback_days=1)

    assert metrics.hearings_updated == 1
    assert harness.hearing("117214").status == "Canceled"


@pytest.mark.imported
def test_the_summary_counts_one_batch_and_one_commit_in_the_singular(harness: Harness) -> None:
    body = harness.corpus.meeting("117214")
    assert body is not None
    body.update(meetingStatus="Postponed", updateDate=api_time(now()))
    harness.corpus.put_meeting(body)

    run = harness.cli("update")

    assert run.returncode == EXIT_OK, run.stderr
    words = " ".join(run.stdout.split())  # the table wraps its cells at the terminal's width
    assert "batches 1 of up to 50 (1 clean, 0 with failures) in 1 commit API" in words, words


@pytest.mark.imported
def test_high_water_mark_advances_only_with_committed_data(harness: Harness) -> None:
    with harness.engine().connect() as connection:
        mark_before = connection.execute(
            select(schema.sync_state.c.high_water_mark).where(
                schema.sync_state.c.entity == "meetings"
            )
        ).scalar_one()
    day_of_changes(harness.corpus, now())

    harness.run("update", batch=False, failure_rate=1.0)

    with harness.engine().connect() as connection:
        mark_after = connection.execute(
            select(schema.sync_state.c.high_water_mark).where(
                schema.sync_state.c.entity == "meetings"
            )
        ).scalar_one()
    assert mark_after == mark_before


@pytest.mark.imported
def test_the_change_ratio_guard_aborts_before_writing(harness: Harness) -> None:
    before = snapshot(harness.engine())
    stamp = api_time(now() - timedelta(hours=1))
    for event_id in list(harness.corpus.ids("meeting"))[:100]:
        body = harness.corpus.meeting(event_id)
        assert body is not None
        body.update(title=f"Rewritten {event_id}", updateDate=stamp)
        harness.corpus.put_meeting(body)
    # One entry the gate refuses: the guard stops the run before it reaches the quarantine.
    refused_entry = list(harness.corpus.ids("meeting"))[0]
    harness.replica.overrides.set_list_entry(
        "meeting", refused_entry, lambda entry: {**entry, "eventId": "1"}
    )

    refused = harness.run("update", max_change_ratio=0.5)

    assert refused.exit_code == EXIT_FAILED and refused.anomalies
    assert "max-change-ratio" in refused.errors[0] and "nothing was written" in refused.errors[0]
    assert snapshot(harness.engine()) == before
    assert harness.count(schema.import_errors) == 0 and refused.quarantined == 0

    # Under --json the refusal is in the document, and on stderr too: it was on stdout alone,
    # which a cron job's `> run.json` kept from the mail it sends.
    as_json = harness.cli("update", "--json", "--max-change-ratio", "0.5")
    assert as_json.returncode == EXIT_FAILED
    [error] = json.loads(as_json.stdout)["errors"]
    assert "max-change-ratio" in error
    said = " ".join(as_json.stderr.split())
    assert said.startswith(f"hearings update FAILED: {' '.join(error.split())} (log: "), said
    assert snapshot(harness.engine()) == before

    forced = harness.run("update", max_change_ratio=0.5, force=True)
    assert forced.hearings_updated == 99 and forced.quarantined == 1


@pytest.mark.imported
def test_dry_run_shows_changes_and_writes_nothing(harness: Harness) -> None:
    before = snapshot(harness.engine())
    expected = day_of_changes(harness.corpus, now())
    runs_before = harness.count(schema.update_logs)

    metrics = harness.run("update", dry_run=True)

    assert (metrics.hearings_added, metrics.hearings_updated) == (expected.added, expected.updated)
    assert any(
        p.startswith("update " + expected.changed_event_ids[0]) and "Canceled" in p
        for p in metrics.planned_changes
    )
    assert snapshot(harness.engine()) == before
    assert harness.count(schema.update_logs) == runs_before
    assert harness.count(schema.import_errors) == 0


@pytest.mark.imported
def test_a_dry_run_names_a_new_date_and_room(harness: Harness) -> None:
    body = harness.corpus.meeting("117214")
    assert body is not None
    body.update(
        date="2025-01-24T19:00:00Z",
        location={"room": "2123", "building": "Rayburn House Office Building"},
        updateDate=api_time(now()),
    )
    harness.corpus.put_meeting(body)

    run = harness.cli("update", "--dry-run", "--json")

    metrics = json.loads(run.stdout)
    assert "update 117214: date or time changed, room changed" in metrics["planned_changes"]
    assert metrics["hearings_updated"] == 1
    # The day's log says what the run was: a dry run that wrote nothing, not an update.
    log = "".join(p.read_text() for p in (harness.tmp_path / "logs").glob("*.log"))
    assert "update dry run (nothing written): " in log
    assert "update succeeded" not in log


@pytest.mark.imported
def test_anomalies_are_flagged_against_history(harness: Harness) -> None:
    for _ in range(6):
        quiet = harness.run("update")
        assert quiet.anomalies == []
    stamp = api_time(now() - timedelta(hours=1))
    for event_id in list(harness.corpus.ids("meeting"))[:40]:
        body = harness.corpus.meeting(event_id)
        assert body is not None
        body.update(title=f"Rewritten {event_id}", updateDate=stamp)
        harness.corpus.put_meeting(body)

    busy = harness.run("update")

    assert any("hearings_updated" in a for a in busy.anomalies)
