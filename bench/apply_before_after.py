"""Section 9: apply throughput before and after issue 13's apply levers, side by side. The tree
before them (40f63b5) runs from a `git worktree` of that commit, with its own bench trial and its
own template database (its schema is one migration older); this tree runs section 2's trial in
batch mode with adaptive commit units. Runs of the two alternate round by round."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from bench.databases import imported_database
from bench.harness import OUT, REPO, Context, Section, Spread, interleaved, ratio, run_worker

OLD_COMMIT = "40f63b5"
OLD_TREE = Path(f"/tmp/old-{OLD_COMMIT}")


def old_tree() -> tuple[Path, ...]:
    """The PYTHONPATH of the tree before the levers, checked out once."""
    if not (OLD_TREE / "src" / "hearings").exists():
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(OLD_TREE), OLD_COMMIT],
            cwd=REPO,
            check=True,
            capture_output=True,
        )
    return (OLD_TREE / "src", OLD_TREE)


def old_template(pythonpath: tuple[Path, ...]) -> Path:
    path = OUT / "db" / f"old-{OLD_COMMIT}-congress-0.db"
    if not path.exists():
        run_worker(
            "bench.databases:build", {"path": str(path), "n_meetings": 0}, pythonpath=pythonpath
        )
    return path


def run(ctx: Context, command: str) -> Section:
    n = 1_000 if ctx.quick else 50_000
    rounds = ctx.rounds(n, fewer_when_large=True)
    section = Section("apply_before_after", "9. Apply throughput before and after", command)
    old = old_tree()
    templates = {"before": old_template(old), "after": imported_database(0, rebuild=ctx.rebuild)}
    paths: dict[str, tuple[Path, ...]] = {"before": old, "after": ()}
    work = OUT / "work"
    ctx.log(f"apply before/after: {n} meetings, {rounds} rounds")
    results: dict[str, list[dict[str, Any]]] = interleaved(
        {
            tree: (
                lambda _round, tree=tree: run_worker(
                    "bench.apply_throughput:trial",
                    {
                        "n_meetings": n,
                        "mode": "batch",
                        "template": str(templates[tree]),
                        "work": str(work),
                    },
                    pythonpath=paths[tree],
                )
            )
            for tree in ("before", "after")
        },
        rounds,
        log=ctx.log,
    )
    seconds = {tree: [r["seconds"] for r in results[tree]] for tree in results}
    rates = {tree: Spread.of(n / t for t in seconds[tree]) for tree in seconds}
    speedup = ratio(seconds["before"], seconds["after"])
    parse = {tree: Spread.of(r["parse_seconds"] for r in results[tree]) for tree in results}
    section.figures[str(n)] = {
        **{f"{tree}_per_second": rates[tree].as_dict() for tree in rates},
        "speedup": speedup.as_dict(),
    }
    section.add(
        f"{n:,} new meetings applied in batch mode (batches of 50), section 2's trial, "
        f"{rounds} rounds, the two trees alternating. *Before* is {OLD_COMMIT} (the tree before "
        "this session: per-row SQLAlchemy inserts, the search index read back with 8 queries a "
        "batch, the archive compressed at level 6 with sorted keys, a commit per batch); *after* "
        "is this tree (index rows from the rows in memory, prebuilt executemany of tuples for "
        "child and index rows, the archive at level 1, adaptive commit units). Each tree runs its "
        "own bench trial on a template built by its own code. Median (min–max).",
        "",
    )
    section.table(
        ["tree", "meetings/s", "parse time (s)", "total time (s)"],
        [
            [
                f"{OLD_COMMIT} (before)" if tree == "before" else "this tree (after)",
                rates[tree].fmt(0),
                parse[tree].fmt(2),
                Spread.of(seconds[tree]).fmt(2),
            ]
            for tree in ("before", "after")
        ],
    )
    section.add(
        f"Speed-up, per round: {speedup.fmt(2)} ×. The machine is shared (other jobs run on its 2 "
        "cores), so absolute rates vary from run to run by more than the rounds show; the ratio "
        "between trees measured in the same rounds is the figure to trust.",
        "",
    )
    return section
