"""The meeting read model (`store/meeting_record.py`) against the code before it, side by side:
CPU time of what the pages, the JSON API and the export do with meetings, on one imported
database. `python -m bench.read_model [--meetings N] [--database PATH]` prints a Markdown table.

CPU time (not wall time) of the process, best of three interleaved rounds: the machine's two
cores are shared, and wall time there measures the neighbours. The before tree is `git archive`
of BEFORE, the commit before the read model.
"""

from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

from bench.databases import imported_database
from bench.harness import OUT, REPO, interleaved, run_worker

BEFORE = "40f63b5"
PAGES = 200  # pages of 25 results, newest first
MEETINGS = 400  # hearing pages


def measure(database: str) -> dict[str, float]:
    """(Worker) CPU milliseconds of each figure, with whichever `hearings` is on the path."""
    from sqlalchemy import create_engine, select

    from hearings.reports.export import write_export
    from hearings.store import schema
    from hearings.web.detail import load_hearing
    from hearings.web.summaries import SUMMARY_COLUMNS, attach_children, summary

    # A plain engine: the before tree would refuse a database a newer schema revision made.
    engine = create_engine(f"sqlite:///{database}")
    hearings = schema.hearings
    figures: dict[str, float] = {}
    with engine.connect() as connection:
        newest = select(*SUMMARY_COLUMNS).order_by(hearings.c.start_at.desc()).limit(25)
        pages = [connection.execute(newest.offset(25 * n)).all() for n in range(PAGES)]
        ids = [row.event_id for page in pages for row in page][:MEETINGS]
        started = time.process_time()
        for rows in pages:
            attach_children(connection, [summary(row) for row in rows])
        figures["page"] = (time.process_time() - started) * 1000 / len(pages)
        started = time.process_time()
        for event_id in ids:
            found = load_hearing(connection, event_id)
            assert found is not None
            found.as_json()
        figures["hearing"] = (time.process_time() - started) * 1000 / len(ids)
    started = time.process_time()
    write_export(engine, "hearings", io.StringIO())
    figures["export"] = (time.process_time() - started) * 1000
    engine.dispose()
    return figures


def before_tree() -> Path:
    target = OUT / "read-model-before"
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", BEFORE, "src"], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target / "src"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.read_model", description=__doc__)
    parser.add_argument("--meetings", type=int, default=20_000)
    parser.add_argument("--database", type=Path, help="an imported database to use instead")
    arguments = parser.parse_args(argv)
    database = arguments.database or imported_database(arguments.meetings)
    before = before_tree()
    trees: dict[str, tuple[Path, ...]] = {"before": (before,), "after": ()}
    runs = interleaved(
        {
            name: (
                lambda _round, path=path: run_worker(
                    "bench.read_model:measure", {"database": str(database)}, pythonpath=path
                )
            )
            for name, path in trees.items()
        },
        3,
        log=print,
    )
    best: dict[str, dict[str, Any]] = {
        name: {key: min(r[key] for r in results) for key in results[0]}
        for name, results in runs.items()
    }
    print(f"\nCPU time on {database.name} (best of 3 interleaved rounds):\n")
    print("| figure | before the read model | after | after ÷ before |")
    print("|---|---|---|---|")
    for key, label, unit in (
        ("page", f"a page of 25 results with committees and witnesses ({PAGES} pages)", "ms"),
        ("hearing", f"the hearing page's model and JSON ({MEETINGS} meetings)", "ms"),
        ("export", "`hearings export hearings` (JSON Lines, every meeting)", "ms"),
    ):
        was, now = best["before"][key], best["after"][key]
        print(f"| {label} | {was:,.2f} {unit} | {now:,.2f} {unit} | {now / was:.2f} |")


if __name__ == "__main__":
    main()
