"""Adaptive commit units: once a run has committed the bound's worth of records batch by batch,
consecutive clean batches commit together (up to the bound), each still checkpointed and
validated; a failure shrinks the unit back to one batch and bisects, so a bad record costs only
itself; ADAPTIVE_COMMIT_UNITS=false commits every batch alone, and a run smaller than the bound
commits batch by batch."""

from __future__ import annotations

import json
import signal

from sqlalchemy import select

from hearings.store import schema
from tests.backends import assert_consistent
from tests.sync.harness import Harness


def test_clean_batches_commit_together_up_to_the_bound_and_the_report_shows_them(
    harness: Harness,
) -> None:
    metrics = harness.run("import", batch_size=4, commit_unit_limit=16)

    stats = metrics.batch_processing
    assert metrics.success and metrics.hearings_added == 150
    assert stats.batch_count == 38  # 150 meetings in batches of 4
    # 4 batches alone (16 meetings, the bound), then units of 2 and 4 batches (16 meetings):
    # 4 + 1 + 8 commits.
    assert stats.commit_units == 13
    assert stats.largest_commit_unit == 16
    assert stats.batches_succeeded == 38
    with harness.engine().connect() as connection:
        checkpoints = connection.execute(
            select(schema.batch_checkpoints.c.status, schema.batch_checkpoints.c.event_ids)
        ).all()
    # Every batch keeps its own checkpoint, committed with the unit that applied it.
    assert len(checkpoints) == 38
    assert {status for status, _ in checkpoints} == {"committed"}
    assert sum(len(ids) for _, ids in checkpoints) == 150

    # The report shows the commits beside the batches.
    done = harness.cli("report", "--format", "json")
    markdown = harness.cli("report", "--format", "markdown")

    assert done.returncode == 0 and markdown.returncode == 0, done.stderr + markdown.stderr
    (run,) = json.loads(done.stdout)["runs"]
    assert run["batches"] == stats.batch_count == 38
    assert run["commit_units"] == stats.commit_units == 13
    assert "| batches | commits |" in markdown.stdout


def test_without_adaptive_units_every_batch_commits_alone(harness: Harness) -> None:
    metrics = harness.run("import", batch_size=4, commit_unit_limit=0)

    stats = metrics.batch_processing
    assert metrics.success and metrics.hearings_added == 150
    assert stats.commit_units == stats.batch_count == 38
    assert stats.largest_commit_unit == 4


def test_a_bad_record_in_a_grouped_unit_costs_only_itself(harness: Harness) -> None:
    grouped = harness.run("import", batch_size=4, failure_rate=0.03, seed=5, commit_unit_limit=16)
    bad = {q.identifier for q in grouped.quarantined_records}
    grouped_export = harness.export()

    assert bad, "the seed must pick some records to fail"
    assert grouped.hearings_added == 150 - len(bad)
    assert grouped.batch_processing.batches_failed == len(
        {e.batch_number for e in grouped.batch_processing.batch_errors}
    )
    with harness.engine().connect() as connection:
        stored = set(connection.execute(select(schema.hearings.c.event_id)).scalars())
        quarantined = set(
            connection.execute(
                select(schema.import_errors.c.identifier).where(
                    schema.import_errors.c.entity == "meeting"
                )
            ).scalars()
        )
    assert stored.isdisjoint(bad) and len(stored) == 150 - len(bad)
    assert bad <= quarantined
    assert_consistent(harness.database_url)

    # The same run, every batch alone, stores exactly the same.
    _empty(harness)
    alone = harness.run("import", batch_size=4, failure_rate=0.03, seed=5, commit_unit_limit=0)
    assert {q.identifier for q in alone.quarantined_records} == bad
    assert harness.export() == grouped_export


def test_the_setting_turns_grouping_off_and_the_metrics_show_the_units(harness: Harness) -> None:
    on = harness.cli(
        "import", "--congress", "119", "--batch-size", "5", "--json", COMMIT_UNIT_RECORDS="20"
    )
    _empty(harness)
    off = harness.cli(
        "import", "--congress", "119", "--batch-size", "5", "--json", ADAPTIVE_COMMIT_UNITS="false"
    )

    assert on.returncode == 0 and off.returncode == 0, on.stderr + off.stderr
    grouped = json.loads(on.stdout)["batch_processing"]
    alone = json.loads(off.stdout)["batch_processing"]
    assert grouped["batch_count"] == alone["batch_count"] == 30
    # 4 batches alone (20 meetings, the bound), then units of 2, 4, 4 … batches: 4 + 7 commits.
    assert grouped["commit_units"] == 11 < alone["commit_units"] == 30
    assert alone["largest_commit_unit"] == 5 < grouped["largest_commit_unit"]


def test_a_kill_inside_a_grouped_unit_loses_nothing_committed(harness: Harness) -> None:
    # Batches of 5 and a bound of 20: four batches alone, then units of 2 and 4 batches; the
    # unit of four (meetings 31-50) is killed just before its commit, the sixth commit.
    killed = harness.cli(
        "import",
        "--congress",
        "119",
        "--batch-size",
        "5",
        COMMIT_UNIT_RECORDS="20",
        own_process=True,
        HEARINGS_FAILPOINT="batch_before_commit:6",
    )

    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert_consistent(harness.database_url)
    assert harness.count(schema.hearings) == 30  # the first five commits, nothing of the sixth
    rerun = harness.cli("import", "--congress", "119", "--batch-size", "5")
    assert rerun.returncode == 0, rerun.stderr
    assert harness.count(schema.hearings) == 150
    assert_consistent(harness.database_url)


def _empty(harness: Harness) -> None:
    """Every row of every table gone, so the next import starts afresh on the same database."""
    with harness.engine().begin() as connection:
        for table in reversed(schema.metadata.sorted_tables):
            connection.execute(table.delete())
