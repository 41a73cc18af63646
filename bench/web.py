"""Section 6: the web app on a large database. Latency percentiles of search and of the hearing
page one request at a time, and requests/s under wrk on loopback."""

from __future__ import annotations

import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.databases import imported_database
from bench.harness import Context, Section, Spread

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
)
SEQUENTIAL_REQUESTS = 200
WRK_CONNECTIONS = 8
WRK_THREADS = 2


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class WebServer:
    """`hearings serve` in its own process, exactly as a user starts it."""

    def __init__(self, database: Path):
        self.database = database
        self.port = _free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> WebServer:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{self.database}"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "hearings", "serve", "--port", str(self.port)],
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
    kinds = {"search": _paths("search", event_ids), "hearing page": _paths("page", event_ids)}
    sequential: dict[str, list[tuple[float, float]]] = {kind: [] for kind in kinds}
    loaded: dict[str, list[dict[str, float]]] = {kind: [] for kind in kinds}
    count = 60 if ctx.quick else SEQUENTIAL_REQUESTS
    with WebServer(database) as server:
        for round_number in range(ctx.repeats):
            ctx.log(f"web round {round_number + 1}/{ctx.repeats}")
            for kind, paths in kinds.items():
                timings = _sequential(server.url, paths, count)
                sequential[kind].append((_percentile(timings, 0.5), _percentile(timings, 0.95)))
            for kind, paths in kinds.items():
                loaded[kind].append(_wrk(server.url, paths, wrk_seconds))
    rows = []
    for kind in kinds:
        p50 = Spread.of(p for p, _ in sequential[kind])
        p95 = Spread.of(p for _, p in sequential[kind])
        rate = Spread.of(r["requests_per_second"] for r in loaded[kind])
        loaded_p50 = Spread.of(r["p50_ms"] for r in loaded[kind])
        loaded_p99 = Spread.of(r["p99_ms"] for r in loaded[kind])
        section.figures[kind] = {
            "p50_ms": p50.as_dict(),
            "p95_ms": p95.as_dict(),
            "requests_per_second": rate.as_dict(),
            "loaded_p50_ms": loaded_p50.as_dict(),
            "loaded_p99_ms": loaded_p99.as_dict(),
        }
        rows.append(
            [
                kind,
                p50.fmt(1, "ms"),
                p95.fmt(1, "ms"),
                rate.fmt(0),
                loaded_p50.fmt(1, "ms"),
                loaded_p99.fmt(1, "ms"),
            ]
        )
    section.add(
        f"`hearings serve` (uvicorn, one worker) over a {n:,}-meeting SQLite database built by "
        f"the import, with its full-text index. Search cycles through {len(QUERIES)} queries "
        f"(`/hearings?q=...`: words, a phrase, a bill citation, a name); the hearing page through "
        f"{len(event_ids)} random meetings (`/hearings/{{event_id}}`). *One at a time*: "
        f"{count} requests per round from one kept-alive client. *Under load*: `wrk "
        f"-t{WRK_THREADS} -c{WRK_CONNECTIONS} -d{wrk_seconds}s` on loopback, sharing the "
        f"machine's {os.cpu_count()} cores with the server. {ctx.repeats} rounds; median "
        "(min–max) of each round's figure.",
        "",
    )
    section.table(
        [
            "page",
            "p50, one at a time",
            "p95, one at a time",
            "requests/s under wrk",
            "p50 under wrk",
            "p99 under wrk",
        ],
        rows,
    )
    return section
