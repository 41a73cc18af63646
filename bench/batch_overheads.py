"""Section 3: per-batch overheads. Checkpoint creation, validation of a 50-record batch before and
after applying, and the cost of bisecting a batch in which one record of 50 is bad."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.databases import CONGRESS, copy_database, import_moment, imported_database, settings_for
from bench.harness import OUT, Context, Section, Spread, run_worker

BATCH = 50
SAMPLES = 60
DATABASE_MEETINGS = 1_000


def trial(template: str, work: str, samples: int) -> dict[str, list[float]]:
    """(Worker) time each overhead `samples` times on a copy of an imported database."""
    from sqlalchemy import select

    from bench.databases import scaled_corpus
    from hearings.congress_api.models import Meeting, parse_record
    from hearings.store import schema
    from hearings.store.opening import open_database
    from hearings.store.records import content_hash, meeting_rows
    from hearings.sync import batches, checkpoints
    from hearings.sync.gate import Request
    from hearings.sync.gate.checks import check_meeting, check_meeting_rows, check_update_date
    from hearings.sync.runlog import BatchStats, RunMetrics, start_run

    database = copy_database(Path(template), Path(work) / "overheads.db")
    engine = open_database(settings_for(database).database_url)
    metrics = RunMetrics(
        command="update",
        congress=CONGRESS,
        chamber=None,
        batch_processing=BatchStats(enabled=True, batch_size=BATCH),
        start_time=import_moment(),
    )
    run_id = start_run(engine, metrics)
    corpus = scaled_corpus(DATABASE_MEETINGS)
    with engine.connect() as connection:
        stored = list(
            connection.execute(
                select(schema.hearings.c.event_id).order_by(schema.hearings.c.event_id).limit(BATCH)
            ).scalars()
        )
    now = import_moment()

    def changes(version: int) -> list[batches.Change]:
        made = []
        for event_id in stored:
            record = corpus.record("meeting", event_id)
            assert record is not None
            body = json.loads(corpus.item_text(record))
            body["title"] = f"{body.get('title') or ''} (version {version})"
            meeting = parse_record(Meeting, body, entity="meeting", identifier=event_id)
            rows = meeting_rows(meeting, content_hash(body), now.replace(tzinfo=None))
            made.append(batches.Change(meeting=meeting, payload=body, rows=rows, locator={}))
        return made

    versions = [changes(v) for v in range(3)]
    new_meetings = [
        batches.Change(
            meeting=c.meeting.model_copy(update={"event_id": str(9_000_000 + i)}),
            payload=c.payload,
            rows=c.rows,
            locator={},
        )
        for i, c in enumerate(versions[0])
    ]
    connection = engine.connect()
    results: dict[str, list[float]] = {
        name: []
        for name in (
            "checkpoint_run_connection",
            "checkpoint_new_connection",
            "checkpoint_new_meetings",
            "validate_before",
            "validate_after",
            "apply_clean",
            "apply_one_bad",
            "attempts_clean",
            "attempts_one_bad",
        )
    }

    def clock(function: Callable[[], Any]) -> float:
        started = time.perf_counter()
        function()
        return (time.perf_counter() - started) * 1000

    attempts = [0]
    real_apply = batches.apply_changes

    def counting_apply(*args: Any, **kwargs: Any) -> Any:
        attempts[0] += 1
        return real_apply(*args, **kwargs)

    batches.apply_changes = counting_apply  # type: ignore[assignment]
    bad = stored[BATCH // 3]

    class OneBad(batches.FailureInjector):
        def should_fail(self, event_id: str) -> bool:
            return event_id == bad

    def validate_before(chosen: list[batches.Change]) -> None:
        # The per-record checks run at the gate, as each meeting is admitted; the batch adds its
        # own (each meeting once). Together they are the validation before applying.
        for change in chosen:
            meeting = change.meeting
            request = Request("meeting", CONGRESS, meeting.chamber.lower(), meeting.event_id)
            check_meeting(request, meeting)
            check_update_date(meeting.update_date, now)
            check_meeting_rows(change.rows)
        batches.validate_before_apply(chosen)

    def checkpoint(database: Any, chosen: list[batches.Change]) -> None:
        checkpoints.create_checkpoint(
            database, run_id=run_id, batch_number=1, changes=chosen, now=now.replace(tzinfo=None)
        )

    def validate_after(chosen: list[batches.Change]) -> float:
        with connection.begin() as transaction:
            real_apply(connection, chosen, injector=batches.FailureInjector(), now=now)
            elapsed = clock(
                lambda: batches.validate_after_apply(connection, [c.rows for c in chosen])
            )
            transaction.rollback()
        return elapsed

    def isolated(chosen: list[batches.Change], injector: batches.FailureInjector) -> float:
        attempts[0] = 0
        elapsed = clock(
            lambda: batches.apply_batch_isolated(
                connection,
                chosen,
                injector=injector,
                now=now,
                after_apply=lambda _c, _a: None,
                checkpoint_id=None,
            )
        )
        return elapsed

    for sample in range(samples):
        # Three versions in rotation, so every apply really changes all 50 meetings (the bad one
        # aside). The figures are interleaved, so drift on a noisy machine hits them alike.
        clean_version = versions[(2 * sample) % 3]
        bad_version = versions[(2 * sample + 1) % 3]

        def take(name: str, function: Callable[[], Any]) -> None:
            results[name].append(clock(function))

        take(
            "checkpoint_run_connection",
            lambda c=clean_version, k=connection: checkpoint(k, c),
        )
        take("checkpoint_new_meetings", lambda k=connection: checkpoint(k, new_meetings))
        # As before the change: no other connection is open, so closing this one also folds
        # the WAL back into the database file.
        connection.close()
        take("checkpoint_new_connection", lambda c=clean_version: checkpoint(engine, c))
        connection = engine.connect()
        connection.exec_driver_sql("SELECT count(*) FROM hearings").all()  # warm, untimed
        connection.rollback()
        take(
            "validate_before",
            lambda c=clean_version: validate_before(c),
        )
        results["validate_after"].append(validate_after(clean_version))
        results["apply_clean"].append(isolated(clean_version, batches.FailureInjector()))
        results["attempts_clean"].append(attempts[0])
        results["apply_one_bad"].append(isolated(bad_version, OneBad()))
        results["attempts_one_bad"].append(attempts[0])
    connection.close()
    engine.dispose()
    return results


def run(ctx: Context, command: str) -> Section:
    section = Section("overheads", "3. Per-batch overheads", command)
    template = imported_database(DATABASE_MEETINGS, rebuild=ctx.rebuild)
    samples = 20 if ctx.quick else SAMPLES
    merged: dict[str, list[float]] = {}
    for round_number in range(ctx.repeats):
        ctx.log(f"batch overheads round {round_number + 1}/{ctx.repeats}")
        result = run_worker(
            "bench.batch_overheads:trial",
            {"template": str(template), "work": str(OUT / "work"), "samples": samples},
        )
        for name, values in result.items():
            merged.setdefault(name, []).extend(values)
    spreads = {name: Spread.of(values) for name, values in merged.items()}
    section.figures = {name: spread.as_dict() for name, spread in spreads.items()}
    checkpoint = spreads["checkpoint_run_connection"]
    validation = Spread.of(
        a + b for a, b in zip(merged["validate_before"], merged["validate_after"], strict=True)
    )
    clean, one_bad = spreads["apply_clean"], spreads["apply_one_bad"]
    bisect_ratio = Spread.of(
        b / a for a, b in zip(merged["apply_clean"], merged["apply_one_bad"], strict=True)
    )
    section.add(
        f"On a copy of the imported {DATABASE_MEETINGS:,}-meeting database, a batch of {BATCH} "
        f"meetings that already exist (so the checkpoint stores {BATCH} before-images) is "
        f"timed {samples} times in each of {ctx.repeats} fresh processes; every figure below is "
        "median (min–max) over all samples, in milliseconds. The variants are interleaved "
        "sample by sample. *Run connection* is how a run now writes (one connection held for "
        "the run, a transaction per step); *new connection* is how it wrote before (a "
        "connection opened and closed per transaction).",
        "",
    )
    section.table(
        ["overhead", "time (ms)"],
        [
            ["checkpoint, 50 before-images, run connection", checkpoint.fmt(3)],
            [
                "checkpoint, 50 before-images, new connection per transaction",
                spreads["checkpoint_new_connection"].fmt(3),
            ],
            [
                "checkpoint, 50 new meetings (no images), run connection",
                spreads["checkpoint_new_meetings"].fmt(3),
            ],
            [
                "validation before applying (duplicates, fields, formats)",
                spreads["validate_before"].fmt(3),
            ],
            [
                "validation after applying (child rows, orphans), inside the transaction",
                spreads["validate_after"].fmt(3),
            ],
            ["validation, both", validation.fmt(3)],
            ["apply a clean batch of 50 (one transaction)", clean.fmt(2)],
            ["apply a batch of 50 with one bad record (bisection)", one_bad.fmt(2)],
            ["bisection cost, bad batch ÷ clean batch", bisect_ratio.fmt(1, "×")],
            [
                "apply attempts, clean / one bad",
                f"{spreads['attempts_clean'].median:.0f} / "
                f"{spreads['attempts_one_bad'].median:.0f}",
            ],
        ],
    )
    new_images = spreads["checkpoint_new_meetings"]
    section.add(
        "- P2, checkpoint creation under 50 ms: "
        + section.check(
            "P2: checkpoint creation under 50 ms",
            f"{checkpoint.fmt(3, 'ms')} with 50 before-images (max {checkpoint.max:.1f} ms)",
            checkpoint.max < 50,
        )
        + ".",
        "- Target, checkpoint creation under 1 ms: "
        + section.check(
            "Target: checkpoint creation under 1 ms (median, 50 before-images)",
            f"{checkpoint.median:.2f} ms",
            checkpoint.median < 1,
        )
        + "; for a batch of new meetings (no before-images) "
        + section.check(
            "Target: checkpoint creation under 1 ms (median, new meetings)",
            f"{new_images.median:.2f} ms",
            new_images.median < 1,
        )
        + ".",
        "- P3, validation of a 50-record batch under 200 ms: "
        + section.check(
            "P3: validation of a 50-record batch under 200 ms",
            f"{validation.fmt(3, 'ms')} before + after applying (max {validation.max:.1f} ms)",
            validation.max < 200,
        )
        + ".",
        "- Target, validation under 5 ms: "
        + section.check(
            "Target: validation of a 50-record batch under 5 ms (median)",
            f"{validation.median:.2f} ms",
            validation.median < 5,
        )
        + ".",
        f"- Bisection: one bad record among 50 costs {bisect_ratio.median:.1f}× a clean batch "
        f"({spreads['attempts_one_bad'].median:.0f} apply attempts instead of 1); the 49 good "
        "records still commit.",
        "",
    )
    return section
