"""Section 6: the web app on a large database. Latency percentiles of search and of the hearing
page one request at a time and with 16 clients at once, and requests/s under wrk on loopback.
Search is timed side by side with the search as it was before issue 15 (`bench.search_before`)."""

from __future__ import annotations

import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

from bench.databases import imported_database
from bench.harness import REPO, Context, Section, Spread

QUERIES = (
    "budget",
    "health care",
    "veterans",
    "energy",
    "appropriations",
    "water infrastructure",
    '"national security"',
    "oversight",
    "smith",
    "H.R. 1",
    "artificial intelligence",
    "defense",
    "AI",
    "GAO",
)
SEQUENTIAL_REQUESTS = 200
CONCURRENT_CLIENTS = 16
CONCURRENT_REQUESTS = 25  # per client
# The search being timed: the current one (`hearings serve`), or the one before issue 15.
VARIANTS = ("after", "before")
WRK_CONNECTIONS = 8
WRK_THREADS = 2


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class WebServer:
    """`hearings serve` in its own process, exactly as a user starts it; or, for the `before`
    variant, the same server with the search as it was before issue 15."""

    def __init__(self, database: Path, variant: str = "after"):
        self.database = database
        self.variant = variant
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> WebServer:
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{self.database}",
            "PYTHONPATH": str(REPO),
        }
        command = (
            [sys.executable, "-m", "hearings", "serve", "--port", str(self.port)]
            if self.variant == "after"
            else [sys.executable, "-m", "bench.search_before", str(self.port)]
        )
        self.process = subprocess.Popen(
            command,
            cwd=self.database.parent,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/api", timeout=5).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.2)
        self.__exit__(None, None, None)
        raise RuntimeError("hearings serve did not start")

    def __exit__(self, *exc: object) -> None:
        process, self.process = self.process, None
        if process is not None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _event_ids(database: Path, count: int) -> list[str]:
    import sqlite3

    connection = sqlite3.connect(database)
    try:
        ids = [row[0] for row in connection.execute("SELECT event_id FROM hearings")]
    finally:
        connection.close()
    return random.Random(7).sample(ids, min(count, len(ids)))


def _paths(kind: str, event_ids: list[str]) -> list[str]:
    if kind == "search":
        return [str(httpx.URL("/hearings", params={"q": q})) for q in QUERIES]
    return [f"/hearings/{event_id}" for event_id in event_ids]


def _sequential(url: str, paths: list[str], count: int) -> list[float]:
    """Milliseconds per request, one request at a time over a kept-alive connection."""
    timings = []
    with httpx.Client(base_url=url, timeout=60) as client:
        for path in paths[:4]:  # warm up
            client.get(path)
        for index in range(count):
            path = paths[index % len(paths)]
            started = time.perf_counter()
            answer = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
            if answer.status_code != 200:
                raise RuntimeError(f"{path} answered {answer.status_code}")
    return timings


def _concurrent(url: str, paths: list[str], clients: int, each: int) -> list[float]:
    """Milliseconds per request with `clients` clients at once, each over its own kept-alive
    connection, all starting together."""
    timings: list[float] = []
    failures: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(clients)

    def client(number: int) -> None:
        mine = []
        with httpx.Client(base_url=url, timeout=120) as session:
            session.get(paths[number % len(paths)])  # connect and warm up
            start.wait()
            for index in range(each):
                path = paths[(number * each + index) % len(paths)]
                started = time.perf_counter()
                answer = session.get(path)
                mine.append((time.perf_counter() - started) * 1000)
                if answer.status_code != 200:
                    failures.append(f"{path} answered {answer.status_code}")
        with lock:
            timings.extend(mine)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(failures[0])
    return timings


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


_WRK_SCRIPT = """
local paths = {%s}
local counter = 0
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
"""


def _wrk(url: str, paths: list[str], seconds: int) -> dict[str, float]:
    listed = ", ".join('"' + p.replace('"', '\\"') + '"' for p in paths)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(_WRK_SCRIPT % listed)
    try:
        completed = subprocess.run(
            [
                "wrk",
                f"-t{WRK_THREADS}",
                f"-c{WRK_CONNECTIONS}",
                f"-d{seconds}s",
                "--latency",
                "-s",
                script.name,
                url,
            ],
            capture_output=True,
            text=True,
            timeout=seconds + 60,
        )
    finally:
        os.unlink(script.name)
    text = completed.stdout
    rate = re.search(r"Requests/sec:\s+([\d.]+)", text)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    if rate is None:
        raise RuntimeError(f"wrk said: {text}\n{completed.stderr}")
    if errors:
        raise RuntimeError(f"wrk saw {errors.group(1)} errors:\n{text}")
    percentiles = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", text, re.MULTILINE))
    return {
        "requests_per_second": float(rate.group(1)),
        "p50_ms": _milliseconds(percentiles.get("50", "0ms")),
        "p99_ms": _milliseconds(percentiles.get("99", "0ms")),
    }


def _milliseconds(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(\w+)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}[unit]


def run(ctx: Context, command: str) -> Section:
    n = 2_000 if ctx.quick else 100_000
    wrk_seconds = 3 if ctx.quick else 10
    section = Section("web", f"6. Web on a {n:,}-meeting database", command)
    if shutil.which("wrk") is None:
        section.add("wrk is not installed (`apt-get install wrk`); this section was skipped.")
        return section
    ctx.log(f"web: database of {n} meetings")
    database = imported_database(n, rebuild=ctx.rebuild)
    event_ids = _event_ids(database, 500)
    # (label, variant, paths): search before and after issue 15, and the hearing page.
    kinds = [
        ("search", "after", _paths("search", event_ids)),
        ("search, before issue 15", "before", _paths("search", event_ids)),
        ("hearing page", "after", _paths("page", event_ids)),
    ]
    figures: dict[str, dict[str, list[float]]] = {label: {} for label, _, _ in kinds}
    count = 60 if ctx.quick else SEQUENTIAL_REQUESTS
    each = 5 if ctx.quick else CONCURRENT_REQUESTS
    with WebServer(database, "after") as after, WebServer(database, "before") as before:
        servers = {"after": after, "before": before}
        for round_number in range(ctx.repeats):
            ctx.log(f"web round {round_number + 1}/{ctx.repeats}")
            # Variants interleaved within each round, so drift on a shared machine hits both.
            for label, variant, paths in kinds:
                url = servers[variant].url
                alone = _sequential(url, paths, count)
                together = _concurrent(url, paths, CONCURRENT_CLIENTS, each)
                loaded = _wrk(url, paths, wrk_seconds)
                measured = {
                    "p50_ms": _percentile(alone, 0.5),
                    "p95_ms": _percentile(alone, 0.95),
                    "concurrent_p50_ms": _percentile(together, 0.5),
                    "concurrent_p95_ms": _percentile(together, 0.95),
                    "requests_per_second": loaded["requests_per_second"],
                    "loaded_p99_ms": loaded["p99_ms"],
                }
                for name, value in measured.items():
                    figures[label].setdefault(name, []).append(value)
    rows = []
    columns = [
        ("p50_ms", 1, "ms"),
        ("p95_ms", 1, "ms"),
        ("concurrent_p50_ms", 1, "ms"),
        ("concurrent_p95_ms", 1, "ms"),
        ("requests_per_second", 0, ""),
        ("loaded_p99_ms", 1, "ms"),
    ]
    for label, _, _ in kinds:
        spreads = {name: Spread.of(figures[label][name]) for name, _, _ in columns}
        section.figures[label] = {name: spread.as_dict() for name, spread in spreads.items()}
        rows.append([label, *(spreads[name].fmt(digits, unit) for name, digits, unit in columns)])
    section.add(
        f"`hearings serve` (uvicorn, one worker) over a {n:,}-meeting SQLite database built by "
        f"the import, with its full-text index. Search cycles through {len(QUERIES)} queries "
        f"(`/hearings?q=...`: words, a phrase, a bill citation, a name, acronyms); the hearing "
        f"page through {len(event_ids)} random meetings (`/hearings/{{event_id}}`). *Before "
        "issue 15* is the same server with the search as it was (`bench/search_before.py`: no "
        "acronym expansion, ranking tie-broken on the UNINDEXED `event_id`, so SQLite reads the "
        "row of every match before sorting); *after* ranks and tie-breaks on the rowid and "
        "looks up only the page's rows, and searches acronyms and full names both ways. "
        f"*Alone*: {count} requests per round from one kept-alive client. *{CONCURRENT_CLIENTS} "
        f"clients*: {CONCURRENT_CLIENTS} kept-alive clients at once, {each} requests each. "
        f"*wrk*: `wrk -t{WRK_THREADS} -c{WRK_CONNECTIONS} -d{wrk_seconds}s`. Client and server "
        f"share the machine's {os.cpu_count()} cores. {ctx.repeats} rounds, before and after "
        "interleaved in each; median (min–max) of each round's figure.",
        "",
    )
    current, old = figures["search"], figures["search, before issue 15"]
    p95_alone = Spread.of(current["p95_ms"])
    p95_together = Spread.of(current["concurrent_p95_ms"])
    section.add(
        f"- Target, search p95 under 50 ms at {n:,} meetings: "
        + section.check(
            f"Target: search p95 under 50 ms at {n:,} meetings (one client)",
            f"{p95_alone.fmt(1, 'ms')} (before issue 15: {Spread.of(old['p95_ms']).fmt(1, 'ms')})",
            p95_alone.median < 50,
        )
        + ".",
        f"- Target, search p95 under 100 ms with {CONCURRENT_CLIENTS} clients: "
        + section.check(
            f"Target: search p95 under 100 ms at {n:,} meetings, {CONCURRENT_CLIENTS} clients",
            f"{p95_together.fmt(1, 'ms')} (before issue 15: "
            f"{Spread.of(old['concurrent_p95_ms']).fmt(1, 'ms')})",
            p95_together.median < 100,
        )
        + ".",
        "",
        f"With {CONCURRENT_CLIENTS} clients a request waits for the others: one uvicorn worker "
        "answers about as many searches a second as the wrk column shows, so the p50 is close "
        f"to {CONCURRENT_CLIENTS} ÷ that rate. Meeting the 100 ms target takes more workers or "
        "cores, not a faster query.",
        "",
    )
    section.table(
        [
            "page",
            "p50 alone",
            "p95 alone",
            f"p50, {CONCURRENT_CLIENTS} clients",
            f"p95, {CONCURRENT_CLIENTS} clients",
            "requests/s under wrk",
            "p99 under wrk",
        ],
        rows,
    )
    return section
