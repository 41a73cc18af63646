"""Ctrl-C and SIGTERM while a rebuild's workers parse: one sentence, the old database whole, and
no process of the rebuild left behind (a worker left blocked kept the rebuild from exiting)."""

from __future__ import annotations

import multiprocessing
import os
import signal
from datetime import datetime
from pathlib import Path

import pytest

from hearings.store.archive_latest import latest_packed_versions
from hearings.store.search_documents import stored_index_names
from hearings.sync.rebuild_derive import _batched, _parsing
from tests.cli_runs import run_stopped_in_own_session
from tests.sync.harness import Harness
from tests.sync.test_rebuild import exports

SQLITE_ONLY = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def _rebuild_stopped(harness: Harness, how: str) -> tuple[int, str, bool]:
    """A rebuild stopped by `how` (INT to its group, as Ctrl-C, or TERM to it alone) once the
    first parsed chunk is in: its exit code, its stderr, and whether any process of it is left
    after it exits."""
    return run_stopped_in_own_session(
        ["rebuild"],
        env=harness.cli_env(HEARINGS_FAILPOINT=f"rebuild_parsed_chunk:1:{how}"),
        cwd=harness.tmp_path,
    )


@SQLITE_ONLY
@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core parses meetings in-process")
@pytest.mark.parametrize(
    ("how", "code", "sentence"),
    [
        ("INT", 130, "Interrupted; committed work is kept."),
        ("TERM", -signal.SIGTERM, "Stopped by SIGTERM; committed work is kept."),
    ],
)
def test_a_rebuild_stopped_while_its_workers_parse_ends_whole(
    harness: Harness, how: str, code: int, sentence: str
) -> None:
    # More meetings than one parsing chunk (250), so they are parsed on worker processes.
    harness.replica.corpus = harness.corpus.scaled(1_200)
    assert harness.cli("import", "--congress", "119").returncode == 0
    before = exports(harness)
    for engine in harness.engines:
        engine.dispose()

    returncode, stderr, left = _rebuild_stopped(harness, how)

    assert (returncode, stderr.strip()) == (code, sentence)
    assert not left, "a process of the rebuild outlived it"
    assert exports(harness) == before
    assert not [p for p in os.listdir(harness.tmp_path) if ".rebuild-" in p]
    again = harness.cli("rebuild")
    assert again.returncode == 0, again.stderr


def _signals(pid: int, field: str) -> set[int]:
    """The signals a process ignores (`SigIgn`) or catches (`SigCgt`), from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            mask = int(line.split()[1], 16)
            return {number for number in range(1, 65) if mask >> (number - 1) & 1}
    raise AssertionError(f"/proc/{pid}/status has no {field}")


@SQLITE_ONLY
@pytest.mark.imported
@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core parses meetings in-process")
def test_the_parsing_workers_leave_ctrl_c_to_the_rebuild_and_die_at_sigterm(
    harness: Harness,
) -> None:
    """Ctrl-C reaches the whole process group. A worker interrupted while it wrote its rows back
    left half a message in the pool's pipe, and the rebuild waited on the pool for good (three
    of fourteen Ctrl-C's at spread moments of a 50,000-meeting rebuild hung it). The workers
    ignore it and leave it to the rebuild, which stops them; SIGTERM, which the pool sends a
    worker it gives up on, ends one at once instead of running the command's own handler."""
    with harness.engine().connect() as connection:
        versions = list(latest_packed_versions(connection, "meeting"))
        names = stored_index_names(connection)
    with _parsing(_batched(versions, 10), datetime.now(), names) as parsed:
        next(parsed)
        workers = [p.pid for p in multiprocessing.active_children() if p.pid is not None]
        assert workers
        for pid in workers:
            assert signal.SIGINT in _signals(pid, "SigIgn")
            assert signal.SIGTERM not in _signals(pid, "SigCgt") | _signals(pid, "SigIgn")
        for _ in parsed:
            pass
