"""(Worker) Section 2's trial: N new meetings go through the pipeline's parse → validate →
checkpoint → apply → validate → commit path in one or more modes, each mode on its own copy of the
database. With several modes the same chunks are applied in turn, the modes' order rotated from
chunk to chunk, so a burst of load from other jobs on a shared machine falls on every mode alike
instead of on whichever mode happened to be running then."""

from __future__ import annotations

import gc
import json
import os
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.corpus_client import CorpusClient
from bench.databases import (
    CONGRESS,
    at,
    copy_database,
    import_moment,
    remove_database,
    scaled_corpus,
    settings_for,
)
from hearings.replica import Corpus

# batch: adaptive commit units (the default); alone: ADAPTIVE_COMMIT_UNITS=false; single:
# ENABLE_BATCH_PROCESSING=false.
MODES = ("batch", "alone", "single")
BATCH_SIZE = 50
# Meetings applied, untimed, on throwaway copies first: imports and first-use costs are paid once
# per process, not by whichever mode happens to run first.
WARM_UP_MEETINGS = 100


@dataclass
class ModeRun:
    """One mode's run: its database, its run state, and the time it has spent so far."""

    mode: str
    state: Any
    engine: Any
    database: Path
    client: CorpusClient
    transaction: ExitStack = field(default_factory=ExitStack)
    seconds: float = 0.0
    cpu_seconds: float = 0.0
    parse_seconds: float = 0.0

    def timed(self, started: float, cpu_started: float) -> None:
        # CPU time of this process beside wall time: other jobs on a shared machine stretch the
        # wall clock far more than they stretch the work this process does.
        self.seconds += time.perf_counter() - started
        self.cpu_seconds += time.process_time() - cpu_started


def start(mode: str, n_meetings: int, corpus: Corpus, template: Path, work: Path) -> ModeRun:
    """Open a fresh copy of the template and the run state `mode` applies through."""
    from hearings.store.opening import open_database
    from hearings.sync.options import SyncOptions
    from hearings.sync.run_state import RunState
    from hearings.sync.runlog import BatchStats, RunMetrics, start_run

    try:  # the tree before adaptive commit units has no bound (bench/apply_before_after.py)
        from hearings.sync.commit_units import COMMIT_UNIT_RECORDS
    except ImportError:
        COMMIT_UNIT_RECORDS = 0
    # The pid keeps two runs of this bench on one machine off each other's copies.
    database = copy_database(template, work / f"apply-{mode}-{n_meetings}-{os.getpid()}.db")
    engine = open_database(settings_for(database).database_url)
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
    run = ModeRun(mode, state, engine, database, CorpusClient(corpus))
    started, cpu_started = time.perf_counter(), time.process_time()
    if not batch_enabled:
        state.single = run.transaction.enter_context(engine.begin())
    run.timed(started, cpu_started)
    return run


def apply_chunk(run: ModeRun, fetched: list[tuple[Any, dict[str, Any]]]) -> None:
    """Parse, validate and load one batch of fetched details (timed)."""
    from hearings.sync.committees import load_committees_by_code
    from hearings.sync.gate import Admitted, admit_item
    from hearings.sync.load import load_batch
    from hearings.sync.meetings import as_change
    from hearings.sync.options import no_progress

    state = run.state

    def load_committees(codes: dict[str, str]) -> None:
        load_committees_by_code(state, run.client, codes, no_progress)

    started, cpu_started = time.perf_counter(), time.process_time()
    admitted = [admit_item(request, body, now=state.clock()) for request, body in fetched]
    changes = [as_change(a, False) for a in admitted if isinstance(a, Admitted)]
    run.parse_seconds += time.perf_counter() - started
    load_batch(state, changes, load_committees)
    run.timed(started, cpu_started)


def finish(run: ModeRun, n_meetings: int) -> dict[str, Any]:
    """Commit what is left (the last commit unit; single mode's one transaction), check every
    meeting was stored, and return the run's figures."""
    from sqlalchemy import func, select

    from hearings.store import schema

    try:
        from hearings.sync.load import finish_loading
    except ImportError:  # the tree before adaptive commit units
        finish_loading = None
    started, cpu_started = time.perf_counter(), time.process_time()
    if finish_loading is not None:
        finish_loading(run.state)
    run.transaction.close()
    run.state.single = None
    run.state.close()
    # Timed, as a run's end pays it: closing the last connection checkpoints the WAL into the
    # database file, which in single-transaction mode holds the whole run.
    run.engine.dispose()
    run.timed(started, cpu_started)
    metrics = run.state.metrics
    with run.engine.connect() as connection:
        stored = connection.execute(select(func.count()).select_from(schema.hearings)).scalar_one()
    run.engine.dispose()
    remove_database(run.database)
    if stored != n_meetings or metrics.quarantined or metrics.hearings_added != n_meetings:
        raise RuntimeError(f"apply trial stored {stored} of {n_meetings}: {metrics.as_dict()}")
    batch_enabled = run.mode != "single"
    # The tree before adaptive commit units does not count commits.
    commits = getattr(metrics.batch_processing, "commit_units", None) if batch_enabled else 1
    return {
        "seconds": run.seconds,
        "cpu_seconds": run.cpu_seconds,
        "commits": commits,
        "parse_seconds": run.parse_seconds,
        "apply_seconds": run.seconds - run.parse_seconds,
        "meetings_per_second": n_meetings / run.seconds,
    }


def apply_in_turn(
    n_meetings: int,
    modes: list[str],
    template: str,
    work: str,
    warm_up: bool = False,
    repetitions: int = 1,
) -> dict[str, list[dict[str, Any]]]:
    """(Worker) Apply the same `n_meetings` new meetings in every mode, chunk by chunk, on fresh
    copies of the database `repetitions` times; each mode's figures, one per repetition."""
    if warm_up:
        apply_in_turn(WARM_UP_MEETINGS, modes, template, work)
    corpus = scaled_corpus(n_meetings)
    records = list(reversed(list(corpus.iter_records("meeting"))))  # oldest first, as a run does
    figures: dict[str, list[dict[str, Any]]] = {mode: [] for mode in modes}
    for _ in range(repetitions):
        runs = [start(mode, n_meetings, corpus, Path(template), Path(work)) for mode in modes]
        gc.collect()
        for number, first in enumerate(range(0, len(records), BATCH_SIZE)):
            chunk = records[first : first + BATCH_SIZE]
            shift = number % len(runs)
            for run in runs[shift:] + runs[:shift]:
                apply_chunk(run, _fetched(corpus, chunk))
        finished = {run.mode: finish(run, n_meetings) for run in runs}
        for mode, figure in finished.items():
            figures[mode].append(figure)
        # Kept as each round ends, so a long run cut short still has the rounds it measured.
        with (Path(work) / "apply-rounds.jsonl").open("a", encoding="utf-8") as rounds:
            rounds.write(json.dumps({"n_meetings": n_meetings, "modes": finished}) + "\n")
    return figures


def _fetched(corpus: Corpus, chunk: list[Any]) -> list[tuple[Any, dict[str, Any]]]:
    """Untimed: the "already fetched" details, exactly as the client returns them (parsed anew
    for each mode, so no mode sees another's objects)."""
    from hearings.sync.gate import Request

    return [
        (Request("meeting", CONGRESS, r.chamber, r.ident), json.loads(corpus.item_text(r)))
        for r in chunk
    ]
