"""Section `backfill_eta`: how close is the time `hearings import` estimates before it fetches any
record to the time it takes, when the rolling-hour rate limit, not the API, sets the pace?

A backfill at api.congress.gov runs for hours: 5,000 requests go out in minutes, then the client
waits for the hour to roll. The same arithmetic at a scale a benchmark can wait for: the window is
API_RATE_WINDOW_SECONDS (10 s instead of 3,600) and API_RATE_LIMIT_PER_HOUR allows 60 requests in
it, so the import of the bundled 118th and 119th Congresses (about 400 requests) waits for the
window six times. The real CLI runs in its own process against the replica in another (20 ms
latency); the clock starts when the estimate is printed and stops when the process exits.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from bench.harness import OUT, REPO, Context, Section

RATE = 60
WINDOW_SECONDS = 10.0
LATENCY_MS = 20.0
TOLERANCE = 0.25
#: `… about 386 requests to go after 10 to list, about 1 min 5 s at 60 per 10 s; this run stops
#: after 200 (--max-requests), in about 30 s, …`
ESTIMATE = re.compile(
    r"about ([\d,]+) requests? to go.*?, about ([^,;.]+?) at [\d,]+ (?:an hour|per [\d.]+ s)"
    r"(?:; this run stops after [\d,]+ \(--max-requests\), in about ([^,;.]+?),)?"
)


@dataclass
class Trial:
    label: str
    requests_to_go: int
    estimated: float
    actual: float
    exit_code: int
    requests: int

    @property
    def ratio(self) -> float:
        return self.estimated / self.actual if self.actual else float("inf")


def seconds_of(span: str) -> float:
    """`45 s`, `1 min 5 s`, `12 min`, `2 h 51 min` as seconds."""
    total = 0.0
    for amount, unit in re.findall(r"(\d+) (h|min|s)\b", span):
        total += int(amount) * {"h": 3600, "min": 60, "s": 1}[unit]
    return total


def serve(latency_ms: float) -> None:
    """(Worker) the replica with the bundled Congresses, until stdin closes."""
    from hearings.replica import BUNDLED_CORPUS_DIR, Corpus, Faults, ReplicaServer

    server = ReplicaServer(Corpus.load(BUNDLED_CORPUS_DIR), faults=Faults(latency_ms=latency_ms))
    print("READY " + server.start(), flush=True)
    try:
        sys.stdin.read()
    finally:
        server.stop()


def import_once(base_url: str, folder: Path, label: str, *extra: str) -> Trial:
    """Run `hearings import --congress 118-119 …` as cron would, timing it from its estimate."""
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("CONGRESS_", "API_"))},
        "CONGRESS_API_BASE_URL": base_url,
        "CONGRESS_API_KEY": "bench-backfill-key",
        "DATABASE_URL": f"sqlite:///{folder / 'hearings.db'}",
        "BACKUP_DIR": str(folder / "backups"),
        "LOG_DIR": str(folder / "logs"),
        "API_RATE_LIMIT_PER_HOUR": str(RATE),
        "API_RATE_WINDOW_SECONDS": str(WINDOW_SECONDS),
        "PYTHONUNBUFFERED": "1",
    }
    command = [sys.executable, "-m", "hearings", "import", "--congress", "118-119", *extra]
    process = subprocess.Popen(
        command,
        cwd=folder,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    found: list[tuple[float, re.Match[str]]] = []
    lines: list[str] = []

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            lines.append(line)
            match = ESTIMATE.search(line)
            if match and not found:
                found.append((time.perf_counter(), match))

    reader = threading.Thread(target=read)
    reader.start()
    code = process.wait(timeout=900)
    ended = time.perf_counter()
    reader.join()
    if not found:
        raise RuntimeError("no estimate was printed:\n" + "".join(lines[-30:]))
    at, match = found[0]
    budgeted = match.group(3)
    requests = re.search(r"([\d,]+) API requests? in all", "".join(lines))
    return Trial(
        label,
        int(match.group(1).replace(",", "")),
        seconds_of(budgeted or match.group(2)),
        ended - at,
        code,
        int(requests.group(1).replace(",", "")) if requests else -1,
    )


def run(ctx: Context, command: str) -> Section:
    section = Section(
        "backfill_eta",
        "11. Backfill: the estimate printed before fetching against the time taken",
        command,
    )
    work = OUT / "work" / "backfill_eta"
    shutil.rmtree(work, ignore_errors=True)
    trials: list[Trial] = []
    replica = subprocess.Popen(
        [sys.executable, "-m", "bench.worker", "bench.backfill_eta:serve"]
        + [f'{{"latency_ms": {LATENCY_MS}}}'],
        cwd=REPO,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        assert replica.stdout is not None and replica.stdin is not None
        ready = replica.stdout.readline()
        if not ready.startswith("READY "):
            raise RuntimeError(f"the replica did not start: {ready!r}")
        base_url = ready.removeprefix("READY ").strip()
        for round_number in range(1, (1 if ctx.quick else 2) + 1):
            whole = work / f"whole-{round_number}"
            whole.mkdir(parents=True)
            ctx.log(f"backfill_eta: uninterrupted import, round {round_number}")
            trials.append(import_once(base_url, whole, "uninterrupted import"))
            sliced = work / f"sliced-{round_number}"
            sliced.mkdir(parents=True)
            ctx.log(f"backfill_eta: a --max-requests 200 slice, round {round_number}")
            trials.append(
                import_once(
                    base_url, sliced, "first slice, --max-requests 200", "--max-requests", "200"
                )
            )
            # At once: the second slice counts the first one's requests still in the window.
            trials.append(
                import_once(
                    base_url, sliced, "second slice, --max-requests 200", "--max-requests", "200"
                )
            )
    finally:
        if replica.stdin is not None:
            replica.stdin.close()
        replica.wait(timeout=30)
    _report(section, trials)
    return section


def _report(section: Section, trials: list[Trial]) -> None:
    section.add(
        f"The bundled 118th and 119th Congresses through `hearings import --congress 118-119`, "
        f"in a process of its own, against the replica at {LATENCY_MS:g} ms a request, with "
        f"API_RATE_LIMIT_PER_HOUR={RATE} and API_RATE_WINDOW_SECONDS={WINDOW_SECONDS:g} (the "
        "hour scaled down 360 times). *Estimated* is the time the import printed before it "
        "fetched any record (for a slice, the time until its --max-requests budget is spent); "
        "*actual* runs from that line to the end of the process. The second slice starts as "
        "soon as the first ends, so the requests the first made in the last window count "
        "against it.",
        "",
    )
    section.table(
        [
            "run",
            "requests to go (estimated)",
            "requests made",
            "exit",
            "estimated",
            "actual",
            "ratio",
        ],
        [
            (
                t.label,
                f"{t.requests_to_go:,}",
                f"{t.requests:,}",
                t.exit_code,
                f"{t.estimated:.0f} s",
                f"{t.actual:.1f} s",
                f"{t.ratio:.2f}",
            )
            for t in trials
        ],
    )
    worst = max(trials, key=lambda t: abs(t.ratio - 1))
    section.add(
        section.check(
            "Backfill ETA printed before fetching within 25% of the actual time",
            f"worst ratio {worst.ratio:.2f} ({worst.label})",
            abs(worst.ratio - 1) <= TOLERANCE,
        ),
        "",
    )
    section.figures.update(
        {
            "rate": RATE,
            "window_seconds": WINDOW_SECONDS,
            "latency_ms": LATENCY_MS,
            "trials": [
                {
                    "label": t.label,
                    "requests_to_go": t.requests_to_go,
                    "requests": t.requests,
                    "exit_code": t.exit_code,
                    "estimated_seconds": t.estimated,
                    "actual_seconds": t.actual,
                    "ratio": t.ratio,
                }
                for t in trials
            ],
            "worst_ratio": worst.ratio,
        }
    )
