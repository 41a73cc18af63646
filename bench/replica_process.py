"""The HTTP replica in its own process, so its CPU (rendering pages, sleeping out latency) never
shares an interpreter, a GIL or an RSS figure with the code being measured."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta
from types import TracebackType
from typing import Any, Self

import httpx

from bench.harness import REPO


class ReplicaProcess:
    """`with ReplicaProcess(n) as replica:` serves `Corpus.scaled(n)` at `replica.base_url`.

    `variant` is "plain", "day" (with `changes.day_of_changes` applied; `replica.info` says what
    changed) or "revised" (every meeting changed, see `changes.revise_every_meeting`).
    """

    def __init__(self, n_meetings: int, *, latency_ms: float = 0.0, variant: str = "plain"):
        self.arguments = {"n_meetings": n_meetings, "latency_ms": latency_ms, "variant": variant}
        self.process: subprocess.Popen[str] | None = None
        self.base_url = ""
        self.info: dict[str, Any] = {}

    def __enter__(self) -> Self:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.worker", "bench.replica_process:serve"]
            + [json.dumps(self.arguments)],
            cwd=REPO,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONPATH": str(REPO)},
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.startswith("READY "):
            self.process.kill()
            raise RuntimeError(f"the replica process did not start: {line!r}")
        self.info = json.loads(line.removeprefix("READY "))
        self.base_url = self.info["base_url"]
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        assert process.stdin is not None
        process.stdin.close()  # the server stops when its stdin closes
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def stats(self) -> dict[str, Any]:
        """The server's request counters (`/_replica/stats`)."""
        answer = httpx.get(self.base_url.removesuffix("/v3") + "/_replica/stats", timeout=10)
        answer.raise_for_status()
        stats: dict[str, Any] = answer.json()
        return stats


def serve(n_meetings: int, latency_ms: float, variant: str) -> None:
    """(Worker) serve until stdin closes."""
    from bench.changes import day_of_changes, revise_every_meeting
    from bench.databases import sample_corpus, update_moment
    from hearings.replica import Faults, ReplicaServer

    info: dict[str, Any] = {}
    if variant == "revised":
        corpus = revise_every_meeting(sample_corpus(), timedelta(days=2)).scaled(n_meetings)
    else:
        corpus = sample_corpus().scaled(n_meetings)
    if variant == "day":
        info["day"] = day_of_changes(corpus, update_moment()).as_dict()
    server = ReplicaServer(corpus, faults=Faults(latency_ms=latency_ms))
    info["base_url"] = server.start()
    print("READY " + json.dumps(info), flush=True)
    try:
        sys.stdin.read()
    finally:
        server.stop()
