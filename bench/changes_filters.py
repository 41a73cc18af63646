"""Section 12: `/changes` filtered by committee or kind, and a committee's changes feed, on a
database where every meeting has changed once. Such a filter reads every change of its period
(what a change belongs to is in its two payloads, not in columns); what it read is kept in
memory, so the same page asked again, as a feed reader asks every few minutes, unpacks
nothing. Each round starts `hearings serve` afresh, times each page the first time and then
again, side by side in the one process."""

from __future__ import annotations

import shutil
import sqlite3
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from bench.databases import imported_database
from bench.harness import OUT, Context, Section, Spread
from bench.web import WebServer

AGAIN = 5  # requests of each page after its first


def _with_a_change_to_every_meeting(source: Path) -> tuple[Path, str, int]:
    """A copy of `source` where every meeting has a second version, first seen within the last
    day: postponed, rescheduled or retitled. Returns it, a committee with the fewest meetings
    (the quiet committee whose feed reads every change to find its few), and the change count."""
    from hearings.store.archive import pack, unpack
    from hearings.store.records import content_hash

    target = OUT / "db" / f"changed-{source.name}"
    shutil.copyfile(source, target)
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    connection = sqlite3.connect(target)
    try:
        rows = connection.execute(
            "SELECT identifier, payload, update_date, locator FROM payload_archive "
            "WHERE entity = 'meeting'"
        ).fetchall()
        for index, (identifier, packed, update_date, locator) in enumerate(rows):
            payload = unpack(packed)
            if index % 3 == 2:
                payload["title"] = f"{payload.get('title')} (revised)"
            else:
                payload["meetingStatus"] = "Postponed" if index % 3 == 0 else "Rescheduled"
            seen = (now - timedelta(seconds=10 * index)).isoformat(sep=" ")
            connection.execute(
                "INSERT INTO payload_archive (entity, identifier, content_hash, payload, "
                "update_date, locator, first_seen_at, last_seen_at) "
                "VALUES ('meeting', ?, ?, ?, ?, ?, ?, ?)",
                (
                    identifier,
                    content_hash(payload),
                    pack(payload),
                    update_date,
                    locator,
                    seen,
                    seen,
                ),
            )
        connection.commit()
        (quiet,) = connection.execute(
            "SELECT system_code FROM hearing_committees GROUP BY system_code "
            "ORDER BY count(*), system_code LIMIT 1"
        ).fetchone()
    finally:
        connection.close()
    return target, str(quiet), len(rows)


def _timed(client: httpx.Client, path: str) -> float:
    started = time.perf_counter()
    answer = client.get(path)
    elapsed = time.perf_counter() - started
    if answer.status_code != 200:
        raise RuntimeError(f"{path} answered {answer.status_code}")
    return elapsed * 1000


def run(ctx: Context, command: str) -> Section:
    n = 1_000 if ctx.quick else 5_000
    section = Section("changes", "12. Filtered changes and committee feeds", command)
    ctx.log(f"changes: database of {n} meetings, each changed once")
    database, quiet, changes = _with_a_change_to_every_meeting(imported_database(n))
    pages = {
        f"`/changes?committee={quiet}`": f"/changes?committee={quiet}",
        f"`/feeds/committee/{quiet}/changes.atom`": f"/feeds/committee/{quiet}/changes.atom",
        "`/changes?kind=postponed`": "/changes?kind=postponed",
        "`/changes` (no filter)": "/changes",
    }
    first: dict[str, list[float]] = {label: [] for label in pages}
    again: dict[str, list[float]] = {label: [] for label in pages}
    for round_number in range(ctx.repeats):
        ctx.log(f"changes round {round_number + 1}/{ctx.repeats}")
        with WebServer(database) as server, httpx.Client(base_url=server.url, timeout=120) as web:
            for label, path in pages.items():
                first[label].append(_timed(web, path))
                again[label].append(statistics.median(_timed(web, path) for _ in range(AGAIN)))
    rows = []
    for label in pages:
        before, after = Spread.of(first[label]), Spread.of(again[label])
        section.figures[label] = {"first_ms": before.as_dict(), "again_ms": after.as_dict()}
        rows.append([label, before.fmt(0, "ms"), after.fmt(0, "ms")])
    section.add(
        f"`hearings serve` over a copy of the {n:,}-meeting database in which every meeting has "
        f"a second version ({changes:,} changes in the last day: postponed, rescheduled or "
        f"retitled). `{quiet}` is the committee with the fewest meetings. *First*: the page's "
        f"first request after the server starts (it reads the facts of every change before "
        f"it: the `kind` filter finds them read by the committee's two pages). *Again*: the "
        f"median of {AGAIN} requests after it. Before 59c7cc7 a filtered page read every "
        "change's two payloads on every request, so each request cost what *first* costs. "
        f"{ctx.repeats} rounds, each in a new server process; median (min–max) over the rounds.",
        "",
    )
    section.table(["page", "first", "again"], rows)
    return section
