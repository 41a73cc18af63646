"""What every benchmark section shares: repeated, interleaved timing with min/median/max, peak RSS
from /proc, worker subprocesses that start clean, and Markdown tables."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
# Sizes above this get two rounds instead of three: each of their runs takes minutes.
LARGE = 20_000
SMALL = 1_000
OUT = REPO / "bench" / "out"


# ---- figures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spread:
    """min / median / max of repeated measurements of one figure."""

    values: tuple[float, ...]

    @classmethod
    def of(cls, values: Iterable[float]) -> Spread:
        chosen = tuple(float(v) for v in values)
        if not chosen:
            raise ValueError("a spread needs at least one value")
        return cls(chosen)

    @property
    def min(self) -> float:
        return min(self.values)

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def max(self) -> float:
        return max(self.values)

    def fmt(self, digits: int = 2, unit: str = "") -> str:
        """`median (min–max)`, or one value when there was one run."""
        suffix = f" {unit}" if unit else ""
        if len(self.values) == 1:
            return f"{_num(self.median, digits)}{suffix}"
        return (
            f"{_num(self.median, digits)}{suffix} "
            f"({_num(self.min, digits)}–{_num(self.max, digits)})"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "min": self.min,
            "median": self.median,
            "max": self.max,
            "values": list(self.values),
        }


def _num(value: float, digits: int) -> str:
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:,.{digits}f}"


def ratio(numerator: Sequence[float], denominator: Sequence[float]) -> Spread:
    """Per-repeat ratios of two figures measured side by side (pairs from the same round)."""
    return Spread.of(a / b for a, b in zip(numerator, denominator, strict=True) if b)


def interleaved(
    variants: Mapping[str, Callable[[int], Any]], repeats: int, *, log: Callable[[str], None]
) -> dict[str, list[Any]]:
    """Run every variant once per round, A B A B…, so drift on a noisy machine hits all alike."""
    results: dict[str, list[Any]] = {name: [] for name in variants}
    for round_number in range(repeats):
        for name, run in variants.items():
            started = time.perf_counter()
            results[name].append(run(round_number))
            log(
                f"  {name} round {round_number + 1}/{repeats}: {time.perf_counter() - started:.1f}s"
            )
    return results


def timed(function: Callable[[], Any]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


# ---- memory --------------------------------------------------------------------------------


def proc_status_kib(name: str) -> int:
    """A `/proc/self/status` figure in KiB (`VmRSS`, `VmHWM`)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(name + ":"):
                return int(line.split()[1])
    raise KeyError(name)


def rss_mib() -> float:
    return proc_status_kib("VmRSS") / 1024


def peak_rss_mib() -> float:
    return proc_status_kib("VmHWM") / 1024


# ---- workers -------------------------------------------------------------------------------


def run_worker(
    target: str,
    arguments: Mapping[str, Any],
    *,
    pythonpath: Sequence[Path] = (),
    timeout: float = 3600,
) -> Any:
    """Call `module:function(**arguments)` in a fresh interpreter and return its JSON result, so
    each measurement starts with a clean heap, a cold cache of nothing, and its own RSS."""
    env = dict(os.environ)
    paths = [str(p) for p in pythonpath] + [str(REPO)]
    if env.get("PYTHONPATH"):
        paths.append(env["PYTHONPATH"])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    completed = subprocess.run(
        [sys.executable, "-m", "bench.worker", target, json.dumps(dict(arguments))],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if completed.returncode != 0:
        raise RuntimeError(
            f"worker {target} failed ({completed.returncode}):\n{completed.stderr[-4000:]}"
        )
    lines = [line for line in completed.stdout.splitlines() if line.startswith("RESULT ")]
    if not lines:
        raise RuntimeError(f"worker {target} printed no result:\n{completed.stderr[-4000:]}")
    return json.loads(lines[-1].removeprefix("RESULT "))


# ---- reporting -----------------------------------------------------------------------------


@dataclass
class Section:
    """One section of RESULTS.md: a title, Markdown, and the raw figures for results.json."""

    key: str
    title: str
    command: str
    body: list[str] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)
    # (requirement or target, the figure, met) for the summary at the top of RESULTS.md; met is
    # None when the measurement could not decide.
    checks: list[tuple[str, str, bool | None]] = field(default_factory=list)

    def check(self, requirement: str, figure: str, met: bool | None) -> str:
        """Record a requirement's verdict for the summary; returns "figure: **met**"."""
        self.checks.append((requirement, figure, met))
        return f"{figure}: {verdict(met)}"

    def add(self, *lines: str) -> None:
        self.body.extend(lines)

    def table(self, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        self.body.append("| " + " | ".join(header) + " |")
        self.body.append("|" + "|".join("---" for _ in header) + "|")
        for row in rows:
            self.body.append("| " + " | ".join(str(cell) for cell in row) + " |")
        self.body.append("")

    def markdown(self) -> str:
        lines = [f"## {self.title}", "", f"Command: `{self.command}`", "", *self.body]
        return "\n".join(lines).rstrip() + "\n"


def verdict(met: bool | None) -> str:
    if met is None:
        return "**not decidable at this noise**"
    return "**met**" if met else "**not met**"


@dataclass
class Context:
    """What a section needs to know about this run."""

    quick: bool
    repeats: int
    log: Callable[[str], None]
    rebuild: bool = False
    # `--sizes`: only these of a section's sizes (none given: all of them).
    only_sizes: frozenset[int] = frozenset()

    def sizes(self, full: Sequence[int], quick: Sequence[int]) -> list[int]:
        chosen = quick if self.quick else full
        return [n for n in chosen if not self.only_sizes or n in self.only_sizes]

    def rounds_text(self, sizes: Sequence[int], **choices: bool) -> str:
        """How many rounds ran: `3 rounds`, or `3 rounds (2 at 50,000)`."""
        text = f"{self.repeats} round{'s' if self.repeats != 1 else ''}"
        others = [
            f"{self.rounds(n, **choices)} at {n:,}"
            for n in sizes
            if self.rounds(n, **choices) != self.repeats
        ]
        if others:
            text += f" ({', '.join(others)})"
        return text

    def rounds(
        self, n_meetings: int, *, more_when_small: bool = True, fewer_when_large: bool = True
    ) -> int:
        """Rounds for a size: two for the largest (each run takes minutes), three times as many
        for the smallest (each run takes a second, and noise is a larger share of it)."""
        if n_meetings > LARGE and fewer_when_large:
            return min(self.repeats, 2)
        if n_meetings <= SMALL and more_when_small:
            return 3 * self.repeats
        return self.repeats


def machine() -> dict[str, Any]:
    return {
        "cores": os.cpu_count(),
        "nproc": _nproc(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu": _cpu_model(),
    }


def _nproc() -> str:
    try:
        return subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    except OSError:
        return str(os.cpu_count())


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def git_commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", "src", "bench"],
            cwd=REPO,
            capture_output=True,
            text=True,
        ).stdout.split("\n")
        # This run's own output is rewritten as it goes; it is not a change to what was measured.
        paths = sorted(
            {line[3:] for line in dirty if line.strip() and "bench/RESULTS." not in line}
        )
        if not paths:
            return head
        return f"{head} (the working tree also had uncommitted changes to {', '.join(paths)})"
    except OSError:
        return "unknown"
