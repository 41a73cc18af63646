"""`hearings status`: the database at a glance, in all and by Congress. A thin call into
`reports.status`; the only logic here is how it prints."""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from hearings.cli import app
from hearings.cli.environment import console, current_settings, existing_database
from hearings.congresses import describe_congresses, ordinal
from hearings.reports.congress_counts import CongressCounts
from hearings.reports.export import iso_utc
from hearings.reports.status import (
    HighWaterMark,
    RunRef,
    Status,
    describe_age,
    describe_size,
    gather_status,
)
from hearings.reports.verify_result import counted
from hearings.store.meeting_start import start_day
from hearings.sync.marks import EVERYTHING, HELD


@app.command()
def status(
    as_json: Annotated[bool, typer.Option("--json", help="Print the status as JSON.")] = False,
) -> None:
    """The database at a glance: where, how big, what it holds, when it was last updated."""
    settings = current_settings()
    with existing_database(settings) as engine:
        current = gather_status(settings, engine)
    if as_json:
        sys.stdout.write(json.dumps(current.as_dict(), indent=2, ensure_ascii=False) + "\n")
        return
    _print_status(current)


def _print_status(current: Status) -> None:
    table = Table(title="hearings status", title_justify="left", show_header=False, box=None)
    table.add_column(style="bold")
    table.add_column()
    table.add_row("database", f"{escape(current.database)} ({describe_size(current.size_bytes)})")
    table.add_row(
        "holds",
        ", ".join(f"{count:,} {name}" for name, count in current.counts.items()),
    )
    success = current.last_success
    table.add_row(
        "last successful run",
        (
            f"{success.command} #{success.run_id}{_congress_note(success)} ended "
            f"{_when(success.end_time)} UTC, {_ago(success.age_seconds)}"
        )
        if success
        else "[yellow]none yet[/]",
    )
    last = current.last_run
    if last is not None and (success is None or last.run_id != success.run_id):
        table.add_row(
            "last run",
            f"[red]{last.command} #{last.run_id}{_congress_note(last)} {last.outcome}[/] "
            f"(started {_when(last.start_time)} UTC, {_ago(last.age_seconds)})",
        )
    marks = _mark_lines(current.high_water_marks)
    table.add_row("high-water marks", "\n".join(marks) if marks else "none yet")
    table.add_row(
        "by Congress",
        "\n".join(_congress_line(c) for c in current.by_congress) or "nothing yet",
    )
    newest = current.newest_backup
    table.add_row(
        "backups",
        f"{current.backup_count} in {escape(str(current.backup_dir))}"
        + (
            f"; newest {Path(newest.path).name} ({describe_size(newest.size_bytes)})"
            if newest
            else ""
        ),
    )
    if current.set_aside:
        table.add_row(
            "set aside",
            f"{counted(len(current.set_aside), 'earlier database')} beside it, kept by "
            f"restores and rebuilds ({describe_size(sum(f.size_bytes for f in current.set_aside))}"
            f"); newest {Path(current.set_aside[0].path).name}. The next restore or rebuild "
            "deletes those older than BACKUP_RETENTION_DAYS, keeping the newest.",
        )
    archived = current.archived_records
    table.add_row(
        "archived payloads",
        ", ".join(f"{n:,} {entity.replace('_', ' ')}s" for entity, n in sorted(archived.items()))
        or "none yet (they are kept from the next update on)",
    )
    backlog = current.quarantine_open
    table.add_row(
        "quarantine",
        "empty"
        if not backlog
        else f"[yellow]{backlog} open[/] ("
        + ", ".join(
            counted(n, entity.replace("_", " "))
            for entity, n in current.quarantine_by_entity.items()
        )
        + ")",
    )
    console.print(table)


def _mark_lines(marks: list[HighWaterMark]) -> list[str]:
    """One line per entity, chamber and mark, naming the Congresses that share it (an update
    across Congresses moves them together, so many Congresses still fit on a screen), and
    saying what the moment is: a mark set when a run had read a whole list is that run's start,
    not an `updateDate` of the data."""
    shared: dict[tuple[str, str, str, str], list[int]] = defaultdict(list)
    for mark in marks:
        meaning = _mark_meaning(mark)
        key = (mark.entity, mark.chamber, _when(mark.high_water_mark), meaning)
        shared[key].append(mark.congress)
    lines = []
    for (entity, chamber, when, meaning), congresses in sorted(shared.items()):
        name = entity.removesuffix(HELD).replace("_", " ")
        where = "" if chamber == "all" else f" {chamber}"
        noun = "Congresses" if len(congresses) > 1 else "Congress"
        lines.append(
            f"{name}{where}: {meaning.format(when=when)} ({noun} {describe_congresses(congresses)})"
        )
    return lines


_FROM_THE_START = iso_utc(EVERYTHING)


def _mark_meaning(mark: HighWaterMark) -> str:
    if mark.kind == "relist" and mark.high_water_mark == _FROM_THE_START:
        # A list held whole (a member list read short has no window): a date before any record.
        return "the next update lists it again, whole"
    if mark.kind == "relist":
        return "the next update lists again from {when}"
    if mark.kind == "run_start" and mark.run_id is not None:
        return f"{{when}}, start of run #{mark.run_id}"
    return "{when}, newest change seen"


def _congress_note(run: RunRef) -> str:
    """` (Congress 119)`, or ` (Congresses 118-119)` for a run across several."""
    if len(run.congresses) > 1:
        return f" (Congresses {describe_congresses(run.congresses)})"
    return f" (Congress {run.congress})" if run.congress is not None else ""


def _congress_line(counts: CongressCounts) -> str:
    """`119th: 150 meetings 2025-01-14 to 2026-09-16 · 11 printed hearings · 219 appearances
    (218 witnesses) · 80 committees`."""
    span = ""
    if counts.first_meeting and counts.last_meeting:
        # Days in Washington, as every page gives them (the JSON gives the UTC moments).
        first, last = start_day(counts.first_meeting), start_day(counts.last_meeting)
        span = f" {first:%Y-%m-%d} to {last:%Y-%m-%d}"
    return (
        f"{ordinal(counts.congress)}: {_counted(counts.meetings, 'meeting')}{span}"
        f" · {_counted(counts.printed_hearings, 'printed hearing')}"
        f" · {_counted(counts.witness_appearances, 'appearance')}"
        f" ({_counted(counts.witnesses, 'witness', 'witnesses')})"
        f" · {_counted(counts.committees_with_meetings, 'committee')}"
    )


def _counted(number: int, one: str, many: str | None = None) -> str:
    return f"{number:,} {one if number == 1 else (many or one + 's')}"


def _ago(seconds: float | None) -> str:
    """`3 min ago`. A time more than a minute after this machine's clock says so; within a
    minute it is the stored time's rounding ("in the future ago", both, before)."""
    if seconds is not None and seconds < -60:
        return "later than this machine's clock says it is now"
    if seconds is not None and seconds < 0:
        seconds = 0
    return f"{describe_age(seconds)} ago" if seconds is not None else "at an unknown time"


def _when(moment: str | None) -> str:
    return moment[:16].replace("T", " ") if moment else "never"
