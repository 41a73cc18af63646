"""Section 2: apply throughput. N meetings whose details are already fetched go through the
pipeline's own parse → validate → checkpoint → apply → validate → commit path, in batch mode (with
adaptive commit units, and with every batch committing alone) and in single-transaction mode, into
a database that holds the Congress's committees and members."""

from __future__ import annotations

import gc
import json
import time
from contextlib import nullcontext
from pathlib import Path
from typing import Any

from bench.databases import (
    CONGRESS,
    at,
    copy_database,
    import_moment,
    imported_database,
    remove_database,
    scaled_corpus,
    settings_for,
)
from bench.harness import OUT, Context, Section, Spread, interleaved, ratio, run_worker

# batch: adaptive commit units (the default); alone: ADAPTIVE_COMMIT_UNITS=false.
MODES = ("batch", "alone", "single")
BATCH_SIZE = 50


def trial(n_meetings: int, mode: str, template: str, work: str) -> dict[str, Any]:
    """(Worker) apply `n_meetings` new meetings; only parse+validate+apply+commit is timed."""
    from sqlalchemy import func, select

    from bench.corpus_client import CorpusClient
    from hearings.store import schema
    from hearings.store.engine import open_database
    from hearings.sync.committees import load_committees_by_code
    from hearings.sync.gate import Admitted, Request, admit_item
    from hearings.sync.load import load_batch

    try:  # the tree before adaptive commit units has neither (bench/apply_before_after.py)
        from hearings.sync.commit_units import COMMIT_UNIT_RECORDS
        from hearings.sync.load import finish_loading
    except ImportError:
        COMMIT_UNIT_RECORDS, finish_loading = 0, None
    from hearings.sync.meetings import as_change
    from hearings.sync.options import SyncOptions, no_progress
    from hearings.sync.run_state import RunState
    from hearings.sync.runlog import BatchStats, RunMetrics, start_run

    database = copy_database(Path(template), Path(work) / f"apply-{mode}-{n_meetings}.db")
    settings = settings_for(database)
    engine = open_database(settings.database_url)
    corpus = scaled_corpus(n_meetings)
    records = list(reversed(list(corpus.iter_records("meeting"))))  # oldest first, as a run does
    batch_enabled = mode != "single"
    options = SyncOptions(congress=CONGRESS, batch_enabled=batch_enabled, batch_size=BATCH_SIZE)
    if COMMIT_UNIT_RECORDS:
        options.commit_unit_limit = COMMIT_UNIT_RECORDS if mode == "batch" else 0
    metrics = RunMetrics(
        command="import",
        congress=CONGRESS,
        chamber=None,
        batch_processing=BatchStats(enabled=batch_enabled, batch_size=BATCH_SIZE),
        start_time=import_moment(),
    )
    start_run(engine, metrics)
    state = RunState(engine, options, metrics, at(import_moment()))
    client = CorpusClient(corpus)

    def load_committees(codes: dict[str, str]) -> None:
        load_committees_by_code(state, client, codes, no_progress)

    parse_seconds = apply_seconds = 0.0
    gc.collect()
    started = time.perf_counter()
    context = nullcontext() if batch_enabled else engine.begin()
    with context as single:
        state.single = single
        setup_seconds = time.perf_counter() - started
        for first in range(0, len(records), BATCH_SIZE):
            chunk = records[first : first + BATCH_SIZE]
            # Untimed: the "already fetched" details, exactly as the client returns them.
            fetched = [
                (
                    Request("meeting", CONGRESS, r.chamber, r.ident),
                    json.loads(corpus.item_text(r)),
                )
                for r in chunk
            ]
            t0 = time.perf_counter()
            admitted = [admit_item(request, body, now=state.clock()) for request, body in fetched]
            changes = [as_change(a, False) for a in admitted if isinstance(a, Admitted)]
            t1 = time.perf_counter()
            load_batch(state, changes, load_committees)
            t2 = time.perf_counter()
            parse_seconds += t1 - t0
            apply_seconds += t2 - t1
        finish_started = time.perf_counter()
        if finish_loading is not None:
            finish_loading(state)  # the last commit unit
    state.single = None
    state.close()
    finish_seconds = time.perf_counter() - finish_started
    total = setup_seconds + parse_seconds + apply_seconds + finish_seconds
    with engine.connect() as connection:
        stored = connection.execute(select(func.count()).select_from(schema.hearings)).scalar_one()
    engine.dispose()
    remove_database(database)
    if stored != n_meetings or metrics.quarantined or metrics.hearings_added != n_meetings:
        raise RuntimeError(f"apply trial stored {stored} of {n_meetings}: {metrics.as_dict()}")
    return {
        "seconds": total,
        "parse_seconds": parse_seconds,
        "apply_seconds": apply_seconds + setup_seconds + finish_seconds,
        "meetings_per_second": n_meetings / total,
    }


def measure(
    ctx: Context, sizes: list[int], *, pythonpath: tuple[Path, ...] = (), label: str = ""
) -> dict[int, dict[str, list[dict[str, Any]]]]:
    template = imported_database(0, rebuild=ctx.rebuild)
    work = OUT / "work"
    results: dict[int, dict[str, list[dict[str, Any]]]] = {}
    for n in sizes:
        ctx.log(f"apply throughput{label}: {n} meetings")
        results[n] = interleaved(
            {
                mode: (
                    lambda _round, mode=mode, n=n: run_worker(
                        "bench.apply_throughput:trial",
                        {
                            "n_meetings": n,
                            "mode": mode,
                            "template": str(template),
                            "work": str(work),
                        },
                        pythonpath=pythonpath,
                    )
                )
                for mode in MODES
            },
            ctx.rounds(n, fewer_when_large=False),
            log=ctx.log,
        )
    return results


def _difference(spread: Spread) -> str:
    return f"{spread.median - 1:+.1%} ({spread.min - 1:+.1%} to {spread.max - 1:+.1%})"


def run(ctx: Context, command: str) -> Section:
    sizes = ctx.sizes([500, 5_000, 50_000], [500, 1_000])
    section = Section("apply", "2. Apply throughput", command)
    results = measure(ctx, sizes)
    rows = []
    for n in sizes:
        seconds = {mode: [r["seconds"] for r in results[n][mode]] for mode in MODES}
        section.figures[str(n)] = {
            **{f"{mode}_seconds": Spread.of(seconds[mode]).as_dict() for mode in MODES},
            **{
                f"{mode}_per_second": Spread.of(n / t for t in seconds[mode]).as_dict()
                for mode in MODES
            },
            "batch_over_single": ratio(seconds["batch"], seconds["single"]).as_dict(),
            "alone_over_single": ratio(seconds["alone"], seconds["single"]).as_dict(),
            "parse_seconds_batch": Spread.of(
                r["parse_seconds"] for r in results[n]["batch"]
            ).as_dict(),
        }
        rows.append(
            [
                f"{n:,}",
                *(Spread.of(n / t for t in seconds[mode]).fmt(0) for mode in MODES),
                _difference(ratio(seconds["batch"], seconds["single"])),
                _difference(ratio(seconds["alone"], seconds["single"])),
            ]
        )
    section.add(
        f"Meetings applied into a database holding the Congress's committees and members (all "
        f"new), {ctx.rounds_text(sizes, fewer_when_large=False)}, the three modes interleaved: "
        "batch mode with adaptive commit units (the default), batch mode with every batch "
        "committing alone (`ADAPTIVE_COMMIT_UNITS=false`), and single-transaction mode. Batches "
        f"of {BATCH_SIZE}. Timed: parse (`parse_record`, `content_hash`, `meeting_rows`) + "
        "validate "
        "+ checkpoint + apply + post-apply validation + commit, through the gate "
        "(`sync.gate.admit_item`) and the batched load (`sync.load.load_batch`, then "
        "`finish_loading`); not timed: producing the fetched JSON bodies. Each run is a fresh "
        "process on a fresh copy of the database. Figures are median (min–max); the "
        "differences are per round, batch against single.",
        "",
    )
    section.table(
        [
            "meetings",
            "batch, adaptive units: meetings/s",
            "batch, each batch alone: meetings/s",
            "single transaction: meetings/s",
            "P5: adaptive vs single time",
            "P5: alone vs single time",
        ],
        rows,
    )
    first = sizes[0]
    p1_seconds = Spread.of(r["seconds"] for r in results[first]["batch"])

    def worst(mode: str) -> float:
        return max(
            abs(
                ratio(
                    [r["seconds"] for r in results[n][mode]],
                    [r["seconds"] for r in results[n]["single"]],
                ).median
                - 1
            )
            for n in sizes
        )

    largest = sizes[-1]
    largest_rate = Spread.of(largest / r["seconds"] for r in results[largest]["batch"])
    section.add(
        f"- P1, {first} hearings in under 5 s: "
        + section.check(
            f"P1: {first} hearings applied in under 5 s",
            f"{p1_seconds.fmt(3, 's')} in batch mode (max {p1_seconds.max:.3f} s)",
            p1_seconds.max < 5,
        )
        + ".",
        "- P5, batch mode (adaptive commit units) within ±10% of single-transaction mode: "
        + section.check(
            "P5: batch mode (adaptive commit units) within ±10% of single-transaction mode",
            f"largest median difference over {', '.join(f'{n:,}' for n in sizes)}: "
            f"{worst('batch'):.1%}",
            worst("batch") <= 0.10,
        )
        + ".",
        "- P5 without adaptive commit units (every batch commits alone): "
        + section.check(
            "P5 without adaptive commit units (ADAPTIVE_COMMIT_UNITS=false)",
            f"largest median difference over {', '.join(f'{n:,}' for n in sizes)}: "
            f"{worst('alone'):.1%}",
            worst("alone") <= 0.10,
        )
        + ".",
        "- Target, 10,000 meetings/s or more in batch mode: "
        + section.check(
            "Target: 10,000 meetings/s or more applied in batch mode (SQLite)",
            f"{largest_rate.fmt(0)} meetings/s at {largest:,}",
            largest_rate.median >= 10_000,
        )
        + ".",
        "",
    )
    return section
