"""Section 10: `hearings rebuild` against plain sqlite3. The rebuild of an imported Congress of N
meetings (every derived table and the search index from the payload archive, parsing included) is
timed beside plain sqlite3 writing the same meeting rows, already parsed, with their indexes and
FTS rows, in one transaction: the floor SQLite sets. The whole command, as a user runs and times
it, is timed beside both. Runs of the three alternate round by round."""

from __future__ import annotations

import gc
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench.databases import copy_database, import_moment, imported_database, remove_database
from bench.harness import OUT, Context, Section, Spread, interleaved, ratio, run_worker

TARGET = 5_000  # meetings/s, issue 13


def trial_rebuild(template: str, work: str) -> dict[str, Any]:
    """(Worker) `hearings rebuild` of a copy of the imported database."""
    from sqlalchemy import func, select

    from hearings.store import schema
    from hearings.store.opening import open_database
    from hearings.sync.rebuild import rebuild_database

    database = copy_database(Path(template), Path(work) / "rebuild.db")
    url = f"sqlite:///{database}"
    # Worked out before the clock starts: it reads the sample corpus.
    now = import_moment() + timedelta(days=1)
    gc.collect()
    os.sync()  # the copy written back before the clock starts, not during the rebuild
    started = time.perf_counter()
    result = rebuild_database(url, now=now)
    seconds = time.perf_counter() - started
    engine = open_database(url)
    with engine.connect() as connection:
        meetings = connection.execute(select(func.count()).select_from(schema.hearings)).scalar()
    engine.dispose()
    if result.replaced is not None:
        remove_database(result.replaced)
    remove_database(database)
    return {"seconds": seconds, "meetings": meetings, "derived": result.derived}


def trial_command(template: str, work: str) -> dict[str, Any]:
    """(Worker) the whole `hearings rebuild` command on a copy of the imported database, timed
    from outside as a user times it: Python's start and imports, the writer lock, the backup it
    takes, the rebuild, the checks, the swap and the pruning."""
    folder = Path(work) / "command"
    shutil.rmtree(folder, ignore_errors=True)
    database = copy_database(Path(template), folder / "hearings.db")
    settings = ("CONGRESS_", "DATABASE_", "BACKUP_", "LOG_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(settings)}
    env.update(
        DATABASE_URL=f"sqlite:///{database}",
        BACKUP_DIR=str(folder / "backups"),
        LOG_DIR=str(folder / "logs"),
    )
    script = Path(sys.executable).with_name("hearings")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "hearings"]
    os.sync()
    started = time.perf_counter()
    # In its own folder: no `.env` of the repository's is read.
    done = subprocess.run(
        [*command, "rebuild", "--json"], cwd=folder, env=env, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"hearings rebuild exited {done.returncode}: {done.stderr[-2000:]}")
    report = json.loads(done.stdout)
    shutil.rmtree(folder)
    return {"seconds": seconds, "meetings": report["rebuilt"]["meetings"]}


def _text(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")  # as SQLAlchemy stores it on SQLite
    if isinstance(value, bool):
        return int(value)
    return value


def trial_plain(template: str, work: str, base: str) -> dict[str, Any]:
    """(Worker) plain sqlite3: the same meeting rows, parsed beforehand (not timed), written with
    executemany into the schema with its indexes, FTS rows included, in one transaction."""
    from hearings.store.archive_latest import latest_packed_versions
    from hearings.store.opening import open_database
    from hearings.store.search_documents import stored_index_names
    from hearings.store.search_index import search_rowid
    from hearings.sync.rebuild_derive import parse_meeting_chunk

    source = open_database(f"sqlite:///{template}")
    with source.connect() as connection:
        versions = list(latest_packed_versions(connection, "meeting"))
        names = stored_index_names(connection)
    source.dispose()
    moment = import_moment().replace(tzinfo=None)
    tables: dict[str, list[tuple[Any, ...]]] = {}
    columns: dict[str, tuple[str, ...]] = {}
    fts: list[tuple[Any, ...]] = []
    for start in range(0, len(versions), 1_000):
        # The rows a rebuild's parsing workers ship, converted as SQLAlchemy stores them.
        parsed = parse_meeting_chunk(versions[start : start + 1_000], moment, names).tables
        for name, rows in parsed.rows.items():
            columns.setdefault(name, parsed.columns[name])
            tables.setdefault(name, []).extend(tuple(_text(v) for v in row) for row in rows)
        fts += [(search_rowid(row[0]), *row) for row in parsed.index_rows]
    meetings = len(tables.get("hearings", []))
    # The Congress's committees and members, no meetings yet: what the plain writer adds to.
    database = copy_database(Path(base), Path(work) / "plain.db")
    connection = sqlite3.connect(database, isolation_level=None)
    gc.collect()
    os.sync()
    started = time.perf_counter()
    connection.execute("BEGIN")
    for name in (
        "hearings",
        "witnesses",
        "bills",
        "hearing_committees",
        "witness_appearances",
        "witness_documents",
        "meeting_documents",
        "videos",
        "hearing_bills",
        "hearing_transcripts",
    ):
        if name not in tables:
            continue
        names = columns[name]
        verb = "INSERT OR IGNORE" if name in ("witnesses", "bills") else "INSERT"
        connection.executemany(
            f"{verb} INTO {name} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
            tables[name],
        )
    connection.executemany(
        "INSERT INTO hearing_search (rowid, event_id, title, witnesses, organizations, positions, "
        "committees, documents, bills) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        fts,
    )
    connection.execute("INSERT INTO hearing_search(hearing_search) VALUES ('optimize')")
    connection.execute("COMMIT")
    seconds = time.perf_counter() - started
    connection.close()
    remove_database(database)
    return {"seconds": seconds, "meetings": meetings}


def run(ctx: Context, command: str) -> Section:
    sizes = ctx.sizes([5_000, 50_000], [500, 1_000])
    section = Section("rebuild", "10. Rebuild against plain sqlite3", command)
    work = OUT / "work"
    rows = []
    base = imported_database(0, rebuild=ctx.rebuild)
    for n in sizes:
        template = imported_database(n, rebuild=ctx.rebuild)
        rounds = ctx.rounds(n)
        ctx.log(f"rebuild vs plain sqlite3: {n} meetings, {rounds} rounds")
        results = interleaved(
            {
                kind: (
                    lambda _round, kind=kind, template=template: run_worker(
                        f"bench.rebuild_speed:trial_{kind}",
                        {"template": str(template), "work": str(work), "base": str(base)}
                        if kind == "plain"
                        else {"template": str(template), "work": str(work)},
                    )
                )
                for kind in ("rebuild", "command", "plain")
            },
            rounds,
            log=ctx.log,
        )
        for kind in results:
            if any(r["meetings"] != n for r in results[kind]):
                raise RuntimeError(f"{kind} wrote {[r['meetings'] for r in results[kind]]} of {n}")
        seconds = {kind: [r["seconds"] for r in results[kind]] for kind in results}
        rates = {kind: Spread.of(n / t for t in seconds[kind]) for kind in seconds}
        share = ratio(seconds["plain"], seconds["rebuild"])
        section.figures[str(n)] = {
            "command_per_second": rates["command"].as_dict(),
            "rebuild_per_second": rates["rebuild"].as_dict(),
            "plain_per_second": rates["plain"].as_dict(),
            "rebuild_over_plain_rate": share.as_dict(),
        }
        rows.append(
            [
                f"{n:,}",
                Spread.of(seconds["command"]).fmt(2, "s"),
                rates["command"].fmt(0),
                Spread.of(seconds["rebuild"]).fmt(2, "s"),
                rates["rebuild"].fmt(0),
                Spread.of(seconds["plain"]).fmt(2, "s"),
                rates["plain"].fmt(0),
                f"{share.fmt(2)}",
            ]
        )
    section.add(
        "`rebuild_database` (what `hearings rebuild` runs after its lock and backup) on a copy of "
        "the imported database: a shadow file, the kept tables copied, every meeting's newest "
        "archived version unpacked and passed through the gate on worker processes, rows written "
        "in units of 2,000 with their index rows, committees, members and printed hearings, the "
        "FTS index optimized, the file swapped in. Beside it, plain sqlite3 writes the same "
        "meeting rows (parsed beforehand, not timed) and FTS rows with executemany into the same "
        "schema with its indexes, in one transaction. The whole command is `hearings rebuild "
        "--json` on another copy, as a process timed from outside: it adds Python's start and "
        "imports, the writer lock, the verified backup (taken beside the rebuild) and the "
        "pruning. Each trial syncs the disk before its clock starts. "
        f"{ctx.rounds_text(sizes)}, the three alternating; median (min–max). The machine has 2 "
        "cores, shared with other jobs: the rebuild's parsing workers compete with them.",
        "",
    )
    section.table(
        [
            "meetings",
            "whole command time",
            "whole command meetings/s",
            "rebuild time",
            "rebuild meetings/s",
            "plain sqlite3 time",
            "plain sqlite3 meetings/s",
            "rebuild ÷ plain (rate)",
        ],
        rows,
    )
    largest = sizes[-1]
    rate = Spread.of(section.figures[str(largest)]["command_per_second"]["values"])
    section.add(
        f"- Target, `hearings rebuild` of {largest:,} meetings at {TARGET:,} meetings/s or more "
        "(SQLite): "
        + section.check(
            f"Target: `hearings rebuild` of {largest:,} meetings at ≥ {TARGET:,} meetings/s "
            "(SQLite), the whole command",
            f"{rate.fmt(0)} meetings/s",
            rate.median >= TARGET,
        )
        + ".",
        "",
    )
    return section
