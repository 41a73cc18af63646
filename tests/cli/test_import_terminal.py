"""`hearings import` as a person sees it: in a real pseudo-terminal 80 columns wide, against the
replica over loopback. The screen and its scrollback are rendered by a terminal emulator (pyte)
and read back line by line."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pexpect
import pyte
import pytest

from hearings.replica import Corpus, Faults, ReplicaServer

COLUMNS, ROWS = 80, 24
API_KEY = "pty-test-key-5b8e0d"
STAGES = ("committees", "members", "meetings", "printed hearings")
SPINNER = re.compile("[\u2800-\u28ff]")  # rich's "dots" spinner frames


@dataclass
class Run:
    exit_code: int
    lines: list[str]  # the scrollback, then the screen, as the terminal shows them
    frames: str  # everything written, escape sequences removed: every frame ever drawn

    def stage_lines(self, stage: str) -> list[str]:
        return [line for line in self.lines if re.match(rf"^\S? ?{stage} +[\d,]+/", line)]


@pytest.fixture
def slow_replica(packaged_corpus: Corpus) -> Iterator[ReplicaServer]:
    """The replica with 15 ms per answer, so the display redraws many times while logs print."""
    with ReplicaServer(packaged_corpus.copy(), faults=Faults(latency_ms=15)) as server:
        yield server


def environment(tmp_path: Path, replica: ReplicaServer) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"COLUMNS", "LINES"}}
    env.update(
        TERM="xterm-256color",
        CONGRESS_API_BASE_URL=replica.base_url,
        CONGRESS_API_KEY=API_KEY,
        DATABASE_URL=f"sqlite:///{tmp_path / 'hearings.db'}",
        LOG_DIR=str(tmp_path / "logs"),
        BACKUP_DIR=str(tmp_path / "backups"),
    )
    return env


def run_in_terminal(tmp_path: Path, replica: ReplicaServer, *args: str) -> Run:
    child = pexpect.spawn(
        sys.executable,
        ["-m", "hearings", *args],
        cwd=str(tmp_path),
        env=environment(tmp_path, replica),
        dimensions=(ROWS, COLUMNS),
        timeout=240,
    )
    child.expect(pexpect.EOF)
    output = child.before
    child.close()
    (tmp_path / "terminal.out").write_bytes(output)  # for a person to replay with `cat`
    screen = pyte.HistoryScreen(COLUMNS, ROWS, history=5000)
    pyte.ByteStream(screen).feed(output)
    scrolled = ["".join(line[x].data for x in range(COLUMNS)) for line in screen.history.top]
    lines = [line.rstrip() for line in scrolled + list(screen.display)]
    frames = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", output.decode("utf-8", "replace"))
    return Run(child.exitstatus if child.exitstatus is not None else -1, lines, frames)


def test_the_import_shows_each_stage_once_with_readable_counts(
    tmp_path: Path, slow_replica: ReplicaServer
) -> None:
    run = run_in_terminal(tmp_path, slow_replica, "import", "--congress", "119")
    text = "\n".join(run.lines)
    assert run.exit_code == 0, text
    counts = slow_replica.corpus
    expected = {
        "members": f"{counts.count('member')}/{counts.count('member')}",
        "meetings": f"{counts.count('meeting')}/{counts.count('meeting')}",
    }
    for stage in STAGES:
        # One line per stage survives: no stale copies in the scrollback.
        (line,) = run.stage_lines(stage)
        # Closed cleanly, counts, requests and time readable, nothing cut short.
        assert line.startswith(f"✓ {stage} "), line
        assert "…" not in line, line
        match = re.search(r"([\d,]+)/([\d,]+) .* ([\d,]+) requests? +(\d+:\d\d)$", line)
        assert match is not None, line
        done, total = match.group(1), match.group(2)
        assert done == total and total != "0", line
        if stage in expected:
            assert f"{done}/{total}" == expected[stage], line
    assert not SPINNER.search(text), "a spinner was left on the screen"
    # The members list says how many there are, so no frame ever shows an unknown total.
    assert not re.search(r"members +[\d,]+/\?", run.frames)
    assert re.search(r"^[\d,]+ API requests in all, \d+% of the hourly budget", text, re.M)
    # Log lines print above the display instead of being overdrawn by it.
    assert re.search(r"^INFO +batch 1 committed", text, re.M), text
    assert re.search(r"^ result +succeeded", text, re.M), text
    assert API_KEY not in text


def test_without_a_terminal_the_progress_is_plain_lines(
    tmp_path: Path, slow_replica: ReplicaServer
) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "hearings", "import", "--congress", "119"],
        cwd=tmp_path,
        env=environment(tmp_path, slow_replica),
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr
    assert "\x1b[" not in done.stderr and not SPINNER.search(done.stderr)
    meetings = slow_replica.corpus.count("meeting")
    for stage in STAGES:
        closing = [line for line in done.stderr.splitlines() if line.startswith(f"{stage}: ")]
        assert closing, done.stderr
        assert re.fullmatch(
            rf"{stage}: ([\d,]+)/\1 done in \d+:\d\d, [\d,]+ requests?", closing[-1]
        ), closing
    assert f"meetings: {meetings}/{meetings} done" in done.stderr
    assert "API requests in all" in done.stderr
    assert API_KEY not in done.stderr + done.stdout
