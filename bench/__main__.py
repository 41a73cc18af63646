"""`python -m bench [--quick] [--only update,apply,...]`: run the benchmarks, write RESULTS.md."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import sys
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bench import (
    apply_before_after,
    apply_throughput,
    archive_size,
    backfill_eta,
    batch_overheads,
    before_after,
    changes_filters,
    daily_update,
    full_import,
    memory,
    rebuild_speed,
    web,
)
from bench.harness import OUT, REPO, Context, Section, git_commit, machine, verdict
from bench.results_file import write_merged

SECTIONS: dict[str, Callable[[Context, str], Section]] = {
    "update": daily_update.run,
    "apply": apply_throughput.run,
    "overheads": batch_overheads.run,
    "memory": memory.run,
    "import": full_import.run,
    "web": web.run,
    "profile": before_after.run,
    "archive": archive_size.run,
    "apply_before_after": apply_before_after.run,
    "rebuild": rebuild_speed.run,
    "backfill_eta": backfill_eta.run,
    "changes": changes_filters.run,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    parser.add_argument(
        "--only", default="", help=f"comma-separated sections: {', '.join(SECTIONS)}"
    )
    parser.add_argument("--repeats", type=int, default=None, help="rounds per figure (3)")
    parser.add_argument(
        "--sizes",
        default="",
        help="comma-separated meeting counts: only these of each section's sizes (5000,50000)",
    )
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached databases")
    parser.add_argument("--output", type=Path, default=None, help="where to write the Markdown")
    arguments = parser.parse_args(argv)
    chosen = [s.strip() for s in arguments.only.split(",") if s.strip()] or list(SECTIONS)
    unknown = [s for s in chosen if s not in SECTIONS]
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    try:
        only_sizes = frozenset(int(n) for n in arguments.sizes.replace("_", "").split(",") if n)
    except ValueError:
        parser.error(f"--sizes takes meeting counts such as 5000,50000, not {arguments.sizes!r}")
    repeats = arguments.repeats or (2 if arguments.quick else 3)
    output = arguments.output or (
        OUT / "RESULTS-quick.md" if arguments.quick else REPO / "bench" / "RESULTS.md"
    )
    given = argv if argv is not None else sys.argv[1:]
    command = _command(given)
    others = _without_only(given)
    started = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:7.1f}s] {message}", file=sys.stderr, flush=True)

    ctx = Context(
        quick=arguments.quick,
        repeats=repeats,
        log=log,
        rebuild=arguments.rebuild,
        only_sizes=only_sizes,
    )
    (OUT / "work").mkdir(parents=True, exist_ok=True)
    sections: list[Section] = []
    failed = False
    for key in chosen:
        log(f"section {key}")
        section_started = time.perf_counter()
        section_command = _command([*others, "--only", key]) if len(chosen) > 1 else command
        try:
            section = SECTIONS[key](ctx, section_command)
        except Exception:  # one broken section must not cost the others' figures
            failed = True
            log(traceback.format_exc())
            section = Section(key, f"{key}: failed", section_command)
            section.add("This section failed:", "", "```", traceback.format_exc(limit=3), "```")
        section.figures["section_seconds"] = time.perf_counter() - section_started
        sections.append(section)
        # Written after every section, so a long run that fails late keeps what it measured.
        _write(
            output,
            sections,
            command,
            time.perf_counter() - started,
            arguments.quick,
            partial=set(chosen) != set(SECTIONS) and arguments.output is None,
        )
    log(f"wrote {output}")
    return 1 if failed else 0


def _write(
    output: Path,
    sections: list[Section],
    command: str,
    seconds: float,
    quick: bool,
    *,
    partial: bool = False,
) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    text = _markdown(sections, command, seconds, quick)
    if partial:
        # A run of some sections keeps the other sections' figures from their own runs.
        write_merged(output, text)
    else:
        output.write_text(text, encoding="utf-8")
    figures_path = output.with_suffix(".json")
    figures = {s.key: s.figures for s in sections}
    if partial and figures_path.exists():
        kept = json.loads(figures_path.read_text(encoding="utf-8")).get("sections", {})
        figures = {**kept, **figures}
    figures_path.write_text(
        json.dumps(
            {"command": command, "machine": machine(), "seconds": seconds, "sections": figures},
            indent=2,
        ),
        encoding="utf-8",
    )


def _without_only(argv: list[str]) -> list[str]:
    kept: list[str] = []
    skip = False
    for argument in argv:
        if skip:
            skip = False
        elif argument == "--only":
            skip = True
        elif not argument.startswith("--only="):
            kept.append(argument)
    return kept


def _command(argv: list[str]) -> str:
    python = Path(sys.executable)
    try:
        shown = str(python.relative_to(REPO)) if not python.is_symlink() else str(python)
    except ValueError:
        shown = str(python)
    venv = REPO / ".venv" / "bin"
    if python.parent == venv or str(python).startswith(str(venv)):
        shown = ".venv/bin/python"
    return " ".join([shown, "-m", "bench", *(shlex.quote(a) for a in argv)]).strip()


def _markdown(sections: list[Section], command: str, seconds: float, quick: bool) -> str:
    facts = machine()
    lines = [
        "# Benchmark results" + (" (quick smoke run)" if quick else ""),
        "",
        f"Produced by `{command}` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC in "
        f"{seconds / 60:.1f} min, at commit {git_commit()}.",
        "",
        f"Machine: {facts['nproc']} cores (`nproc`), {facts['cpu']}, Python {facts['python']}, "
        f"{facts['platform']}. The machine is shared and noisy: every comparison below is "
        "measured side by side in this run (variants interleaved round by round), and every "
        "figure is given as median (min–max) over the rounds.",
        "",
        "Each section can be rerun alone with `--only KEY` (keys: "
        + ", ".join(f"`{s.key}`" for s in sections)
        + "). Databases of N meetings are built once by the real import from `Corpus.scaled(N)` "
        "(the sample meetings cloned under fresh event ids) and cached under bench/out/db/.",
        "",
    ]
    checks = [(s, check) for s in sections for check in s.checks]
    if checks:
        lines += [
            "## Summary: requirements and targets",
            "",
            "| requirement or target | figure | | section |",
            "|---|---|---|---|",
        ]
        for section, (requirement, figure, met) in checks:
            lines.append(
                f"| {requirement} | {figure} | {'met' if met else verdict(met)} | "
                f"{section.title.split('.')[0]} |"
            )
        lines.append("")
    for section in sections:
        lines.append(section.markdown())
    return "\n".join(lines)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main())
