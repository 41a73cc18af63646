"""Section 2: apply throughput. N meetings whose details are already fetched go through the
pipeline's own parse → validate → checkpoint → apply → validate → commit path, in batch mode (with
adaptive commit units, and with every batch committing alone) and in single-transaction mode, into
a database that holds the Congress's committees and members."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bench.apply_paired import BATCH_SIZE, MODES, WARM_UP_MEETINGS, apply_in_turn
from bench.databases import imported_database
from bench.harness import LARGE, OUT, SMALL, Context, Section, Spread, run_worker
from bench.paired import PairedRatio, paired_ratio

# P5: batch mode within ±10% of single-transaction mode.
P5_BOUND = 0.10


def trial(n_meetings: int, mode: str, template: str, work: str) -> dict[str, Any]:
    """(Worker) apply `n_meetings` new meetings in one mode (section 9 runs it on two trees)."""
    return apply_in_turn(n_meetings, [mode], template, work)[mode][0]


def workers_and_repetitions(ctx: Context, n_meetings: int) -> tuple[int, int]:
    """`--repeats` workers per size, each repeating the paired run: many rounds where a run is
    short (noise is a larger share of it), one per worker at the largest size, where a run takes
    minutes."""
    if n_meetings <= SMALL:
        return ctx.repeats, 4
    if n_meetings <= LARGE:
        return ctx.repeats, 2
    return ctx.repeats, 1


def rounds_for(ctx: Context, n_meetings: int) -> int:
    workers, repetitions = workers_and_repetitions(ctx, n_meetings)
    return workers * repetitions


def measure(
    ctx: Context, sizes: list[int], *, pythonpath: tuple[Path, ...] = (), label: str = ""
) -> dict[int, dict[str, list[dict[str, Any]]]]:
    """Per size, workers that each apply the same meetings in all three modes in turn, chunk by
    chunk (bench/apply_paired.py); a round is one such paired run."""
    template = imported_database(0, rebuild=ctx.rebuild)
    work = OUT / "work"
    results: dict[int, dict[str, list[dict[str, Any]]]] = {}
    for n in sizes:
        workers, repetitions = workers_and_repetitions(ctx, n)
        ctx.log(f"apply throughput{label}: {n} meetings, {workers} × {repetitions} rounds")
        results[n] = {mode: [] for mode in MODES}
        for worker in range(workers):
            started = time.perf_counter()
            # The modes' order rotates from worker to worker as well as from chunk to chunk.
            shift = worker % len(MODES)
            figures = run_worker(
                "bench.apply_paired:apply_in_turn",
                {
                    "n_meetings": n,
                    "modes": [*MODES[shift:], *MODES[:shift]],
                    "template": str(template),
                    "work": str(work),
                    "warm_up": True,
                    "repetitions": repetitions,
                },
                pythonpath=pythonpath,
            )
            for mode in MODES:
                results[n][mode].extend(figures[mode])
            ctx.log(f"  worker {worker + 1}/{workers}: {time.perf_counter() - started:.1f}s")
    return results


def against_single(trials: dict[str, list[dict[str, Any]]], mode: str, key: str) -> PairedRatio:
    """`mode`'s figure over single-transaction mode's, round by round."""
    return paired_ratio([r[key] for r in trials[mode]], [r[key] for r in trials["single"]])


def p5_verdict(wall: PairedRatio) -> bool | None:
    """P5 is about time: the wall-time interval decides; CPU time is reported beside it as the
    cross-check that other jobs on the machine hardly touch."""
    return wall.within(P5_BOUND)


def combined(verdicts: list[bool | None]) -> bool | None:
    if False in verdicts:
        return False
    if None in verdicts:
        return None
    return True


def run(ctx: Context, command: str) -> Section:
    sizes = ctx.sizes([500, 5_000, 50_000], [500, 1_000])
    section = Section("apply", "2. Apply throughput", command)
    results = measure(ctx, sizes)
    rate_rows, p5_rows = [], []
    verdicts: dict[str, list[bool | None]] = {"batch": [], "alone": []}
    figures: dict[str, list[str]] = {"batch": [], "alone": []}
    for n in sizes:
        trials = results[n]
        seconds = {mode: [r["seconds"] for r in trials[mode]] for mode in MODES}
        cpu = {mode: Spread.of(r["cpu_seconds"] for r in trials[mode]) for mode in MODES}
        commits = {mode: Spread.of(r["commits"] for r in trials[mode]).median for mode in MODES}
        section.figures[str(n)] = {
            "rounds": len(seconds["single"]),
            **{f"{mode}_seconds": Spread.of(seconds[mode]).as_dict() for mode in MODES},
            **{f"{mode}_cpu_seconds": cpu[mode].as_dict() for mode in MODES},
            **{
                f"{mode}_per_second": Spread.of(n / t for t in seconds[mode]).as_dict()
                for mode in MODES
            },
            **{f"{mode}_commits": commits[mode] for mode in MODES},
            "parse_seconds_batch": Spread.of(r["parse_seconds"] for r in trials["batch"]).as_dict(),
        }
        rate_rows.append(
            [
                f"{n:,}",
                *(Spread.of(n / t for t in seconds[mode]).fmt(0) for mode in MODES),
                " / ".join(f"{commits[mode]:,.0f}" for mode in MODES),
                " / ".join(cpu[mode].fmt(2, "s") for mode in MODES),
            ]
        )
        cells = [f"{n:,}"]
        for mode in ("batch", "alone"):
            wall = against_single(trials, mode, "seconds")
            work = against_single(trials, mode, "cpu_seconds")
            section.figures[str(n)][f"{mode}_over_single"] = wall.as_dict()
            section.figures[str(n)][f"{mode}_over_single_cpu"] = work.as_dict()
            verdict_here = p5_verdict(wall)
            verdicts[mode].append(verdict_here)
            figures[mode].append(
                f"{n:,}: {wall.median - 1:+.1%} [{wall.low - 1:+.1%} to {wall.high - 1:+.1%}]"
                f" (CPU {work.median - 1:+.1%})"
            )
            cells += [wall.fmt(), work.fmt(), _verdict_word(verdict_here)]
        p5_rows.append(cells)
    section.add(
        f"Meetings applied into a database holding the Congress's committees and members (all "
        f"new), three modes: batch mode with adaptive commit units (the default), batch mode "
        "with every batch committing alone (`ADAPTIVE_COMMIT_UNITS=false`), and "
        f"single-transaction mode (`ENABLE_BATCH_PROCESSING=false`). Batches of {BATCH_SIZE}. "
        "Timed: parse (`parse_record`, `content_hash`, `meeting_rows`) + validate + checkpoint + "
        "apply + post-apply validation + commit, through the gate (`sync.gate.admit_item`) and "
        "the batched load (`sync.load.load_batch`, then `finish_loading`), and the run's end "
        "(closing the database, which checkpoints the WAL into the database file: in "
        "single-transaction mode the whole run is still in the WAL then); not timed: producing "
        "the fetched JSON bodies. "
        f"Rounds: {', '.join(_rounds_text(ctx, n) for n in sizes)}. Each worker is a fresh "
        f"process that first applies {WARM_UP_MEETINGS} meetings in every mode on throwaway "
        "copies (untimed: imports and first-use costs); a round then opens a fresh copy of the "
        "database per mode and applies the same "
        f"N meetings to all three, one batch of {BATCH_SIZE} at a time in turn, the modes' order "
        "rotated from batch to batch (ABC, BCA, CAB, …), so a burst of load from other jobs "
        "falls on the three modes alike. Wall time and the worker's CPU time "
        "(`time.process_time`, user + system) are summed over each mode's timed steps. Figures "
        "are median (min–max) over the rounds.",
        "",
    )
    section.table(
        [
            "meetings",
            "batch, adaptive units: meetings/s",
            "batch, each batch alone: meetings/s",
            "single transaction: meetings/s",
            "commits (adaptive / alone / single)",
            "CPU time (adaptive / alone / single)",
        ],
        rate_rows,
    )
    section.add(
        "P5 asks batch mode to stay within ±10% of single-transaction mode. Each cell is the "
        "median of the per-round ratios (a mode's time over single-transaction mode's time in "
        "the same round) as a difference, with a distribution-free confidence interval for that "
        "median [low to high, its coverage, rounds] from the order statistics of the ratios. "
        "Verdict, from wall time: **met** when the whole interval is at most +10% (batch mode "
        "costs at most 10% more; being faster is no failure), **not met** when the whole interval "
        "is above +10%, and **not decidable at this noise** when the interval straddles +10%. "
        "CPU time is the cross-check: other jobs on the machine stretch wall time, hardly the "
        "work the worker does.",
        "",
    )
    section.table(
        [
            "meetings",
            "adaptive vs single: wall",
            "adaptive vs single: CPU",
            "P5, adaptive",
            "alone vs single: wall",
            "alone vs single: CPU",
            "P5, alone",
        ],
        p5_rows,
    )
    first = sizes[0]
    p1_seconds = Spread.of(r["seconds"] for r in results[first]["batch"])
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
            "; ".join(figures["batch"]),
            combined(verdicts["batch"]),
        )
        + ".",
        "- P5 without adaptive commit units (every batch commits alone): "
        + section.check(
            "P5 without adaptive commit units (ADAPTIVE_COMMIT_UNITS=false)",
            "; ".join(figures["alone"]),
            combined(verdicts["alone"]),
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


def _verdict_word(met: bool | None) -> str:
    return {True: "met", False: "**not met**", None: "not decidable"}[met]


def _rounds_text(ctx: Context, n_meetings: int) -> str:
    workers, repetitions = workers_and_repetitions(ctx, n_meetings)
    return f"{workers * repetitions} at {n_meetings:,} ({workers} workers × {repetitions})"
