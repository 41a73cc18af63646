"""Section 1: a daily update's API requests and wall time, after a full import of N meetings,
against the replica answering every request 200 ms late; compared with checking every meeting."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from bench.databases import (
    CONGRESS,
    at,
    copy_database,
    imported_database,
    remove_database,
    settings_for,
    update_moment,
)
from bench.harness import OUT, Context, Section, Spread, interleaved, ratio, run_worker
from bench.replica_process import ReplicaProcess

LATENCY_MS = 200.0
LOOKBACK_DAYS = 7
MODES = ("incremental", "check every meeting")
# The live API, as observed before the incremental design: 930 requests in 181 s for 40 changes.
LIVE_REQUESTS, LIVE_SECONDS, LIVE_CHANGES = 930, 181, 40


def trial(template: str, work: str, base_url: str, mode: str) -> dict[str, Any]:
    """(Worker) run `hearings update` on a copy of the imported database; time only the run."""
    from hearings.congress_api.client import CongressClient
    from hearings.store.opening import open_database
    from hearings.sync.pipeline import SyncOptions
    from hearings.sync.runner import RunEnvironment, run_sync

    database = copy_database(Path(template), Path(work) / "update.db")
    settings = settings_for(database, base_url)
    engine = open_database(settings.database_url)
    options = SyncOptions(
        congress=CONGRESS,
        lookback_days=LOOKBACK_DAYS,
        concurrency=settings.api_concurrency,
        # The check-every-meeting baseline: every meeting listed in the window is fetched,
        # whatever its stored updateDate.
        full_refresh=mode != "incremental",
    )
    with CongressClient.from_settings(settings) as client:
        environment = RunEnvironment(
            settings=settings, engine=engine, client=client, clock=at(update_moment())
        )
        started = time.perf_counter()
        metrics = run_sync(environment, options, command="update")
        seconds = time.perf_counter() - started
    engine.dispose()
    remove_database(database)
    return {
        "seconds": seconds,
        "requests": metrics.api_requests,
        "added": metrics.hearings_added,
        "updated": metrics.hearings_updated,
        "unchanged": metrics.hearings_unchanged,
        "checked": metrics.hearings_checked,
        "quarantined": metrics.quarantined,
        "committees": metrics.committees_updated,
        "success": metrics.success,
        "concurrency": settings.api_concurrency,
    }


def measure(ctx: Context, n: int) -> dict[str, Any]:
    template = imported_database(n, rebuild=ctx.rebuild)
    work = OUT / "work"
    with ReplicaProcess(n, latency_ms=LATENCY_MS, variant="day") as replica:

        def run(mode: str) -> dict[str, Any]:
            before = replica.stats()["by_kind"]
            result = run_worker(
                "bench.daily_update:trial",
                {
                    "template": str(template),
                    "work": str(work),
                    "base_url": replica.base_url,
                    "mode": mode,
                },
            )
            after = replica.stats()["by_kind"]
            result["kinds"] = {k: after.get(k, 0) - before.get(k, 0) for k in after}
            return result

        results = interleaved(
            {mode: (lambda _round, mode=mode: run(mode)) for mode in MODES},
            ctx.repeats,
            log=ctx.log,
        )
        day = replica.info["day"]
    return {"results": results, "day": day}


def run(ctx: Context, command: str) -> Section:
    sizes = ctx.sizes([1_000, 10_000, 50_000], [1_000])
    section = Section("update", "1. Daily update: API requests and wall time", command)
    rows = []
    verdict_rows = []
    for n in sizes:
        ctx.log(f"daily update: {n} meetings")
        measured = measure(ctx, n)
        day = measured["day"]
        results = measured["results"]
        incremental = results["incremental"]
        baseline = results["check every meeting"]
        for result in incremental + baseline:
            if not result["success"]:
                raise RuntimeError(f"an update failed: {result}")
        list_pages = [
            sum(v for k, v in r["kinds"].items() if k.endswith("_list")) for r in incremental
        ]
        details = [
            sum(v for k, v in r["kinds"].items() if k.endswith("_item")) for r in incremental
        ]
        inc_requests = Spread.of(r["requests"] for r in incremental)
        base_requests = Spread.of(r["requests"] for r in baseline)
        inc_seconds = Spread.of(r["seconds"] for r in incremental)
        base_seconds = Spread.of(r["seconds"] for r in baseline)
        listed = baseline[0]["checked"]
        section.figures[str(n)] = {
            "day": day,
            "listed_in_window": listed,
            "incremental_requests": inc_requests.as_dict(),
            "incremental_seconds": inc_seconds.as_dict(),
            "baseline_requests": base_requests.as_dict(),
            "baseline_seconds": base_seconds.as_dict(),
            "incremental_list_pages": list_pages,
            "incremental_details": details,
            "requests_by_kind": {
                "incremental": incremental[0]["kinds"],
                "check every meeting": baseline[0]["kinds"],
            },
        }
        rows.append(
            [
                f"{n:,}",
                f"{listed:,}",
                day["changed_records"],
                f"{inc_requests.fmt(0)} ({max(list_pages)} list pages + {max(details)} details)",
                base_requests.fmt(0),
                ratio([r["requests"] for r in baseline], [r["requests"] for r in incremental]).fmt(
                    1, "×"
                ),
                inc_seconds.fmt(2, "s"),
                base_seconds.fmt(2, "s"),
                ratio([r["seconds"] for r in baseline], [r["seconds"] for r in incremental]).fmt(
                    1, "×"
                ),
            ]
        )
        limit = day["changed_records"] + max(list_pages) + 5
        verdict_rows.append(
            [
                f"{n:,}",
                section.check(
                    f"Daily update, {n:,} meetings: requests ≤ changed records + list pages + 5",
                    f"{inc_requests.max:.0f} ≤ {day['changed_records']} + {max(list_pages)} + 5 "
                    f"= {limit}",
                    inc_requests.max <= limit,
                ),
                section.check(
                    f"Daily update, {n:,} meetings: under 3 s at 200 ms latency (median)",
                    f"{inc_seconds.fmt(2, 's')}",
                    inc_seconds.median < 3,
                ),
                f"{incremental[0]['added']} added, {incremental[0]['updated']} updated, "
                f"{incremental[0]['unchanged']} unchanged, {incremental[0]['quarantined']} "
                "quarantined",
            ]
        )
    section.add(
        f"Each Congress is imported once (cached), then a day of upstream changes is applied "
        f"(`bench/changes.py`: edited statuses, titles and witnesses, added meetings, one under a "
        f"new subcommittee, records touched but unchanged, two malformed records) and "
        f"`hearings update --lookback-days {LOOKBACK_DAYS}` runs against the HTTP replica in its "
        f"own process, which answers every request {LATENCY_MS:.0f} ms late. "
        f"API_CONCURRENCY is {incremental[0]['concurrency']}. The baseline, "
        f"*check every meeting*, is the same update with `SyncOptions(full_refresh=True)`: it "
        f"lists the same window and fetches the detail of every listed meeting whatever its "
        f"stored updateDate, which is how the original design made {LIVE_REQUESTS} requests in "
        f"{LIVE_SECONDS} s to find {LIVE_CHANGES} changes on the live API. The two are run "
        f"interleaved, {ctx.repeats} rounds, each on a fresh copy of the imported database; the "
        "wall time is `run_sync` alone (no pre-run backup). Figures are median (min–max).",
        "",
    )
    section.table(
        [
            "meetings",
            "listed in the window",
            "changed records",
            "incremental requests",
            "check-every requests",
            "requests saved",
            "incremental time",
            "check-every time",
            "speed-up",
        ],
        rows,
    )
    largest = section.figures[str(sizes[-1])]
    section.add(
        f"For scale: on the live API the original design made {LIVE_REQUESTS} requests in "
        f"{LIVE_SECONDS} s to find {LIVE_CHANGES} changes. Here, on the {sizes[-1]:,}-meeting "
        f"Congress, checking every meeting took {largest['baseline_requests']['median']:.0f} "
        f"requests and {largest['baseline_seconds']['median']:.1f} s to find "
        f"{largest['day']['changed_records']} changed records; the incremental update took "
        f"{largest['incremental_requests']['median']:.0f} requests and "
        f"{largest['incremental_seconds']['median']:.1f} s.",
        "",
        "Targets: requests ≤ changed records + list pages + 5, and under 3 s.",
        "",
    )
    section.table(["meetings", "requests", "wall time", "what the update did"], verdict_rows)
    return section
