"""A stop (Ctrl-C or SIGTERM) says what it leaves, for the command it stopped: an import or an
update keeps what it committed and its next run continues (tests/sync/test_crash_safety.py);
a command that only reads changed nothing, and has no next run to speak of."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest

from hearings.cli import stop_sentence
from tests.store.conftest import Site, fingerprint, imported_database, site

__all__ = ["imported_database", "site"]  # the fixtures, shared with tests/store


@pytest.mark.parametrize(
    ("stop", "status", "sentence"),
    [
        (signal.SIGINT, 130, "Interrupted; nothing was changed."),
        (signal.SIGTERM, -signal.SIGTERM, "Stopped by SIGTERM; nothing was changed."),
    ],
    ids=["ctrl-c", "sigterm"],
)
def test_a_stopped_export_says_nothing_was_changed(
    site: Site, stop: signal.Signals, status: int, sentence: str
) -> None:
    before = fingerprint(site.database.parent)
    process = subprocess.Popen(
        [sys.executable, "-m", "hearings", "export", "hearings"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=site.folder,
        env=site.env(),
        # A shell's background job ignores SIGINT, and Python keeps that: undo it for the child.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert process.stdout is not None
    # The export has begun; nobody reads the rest (far more than a pipe holds), so it waits in a
    # write until the signal comes.
    assert process.stdout.read(1) == b"{"
    process.send_signal(stop)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == status
    assert stderr.decode().strip().splitlines() == [sentence]
    assert fingerprint(site.database.parent) == before


@pytest.mark.parametrize(
    ("args", "left"),
    [
        (["status"], "nothing was changed."),
        (["history", "12345", "--json"], "nothing was changed."),
        (["backup", "list"], "nothing was changed."),
        (["quarantine", "list"], "nothing was changed."),
        (["verify", "--reconcile"], "nothing was changed."),
        (["import", "--congress", "119"], "committed work is kept and the next run continues."),
        (["update"], "committed work is kept and the next run continues."),
        (["demo"], "committed work is kept and the next run continues."),
        (["rebuild"], "committed work is kept."),
        (["backup", "restore", "x.db"], "committed work is kept."),
        (["quarantine", "accept", "3"], "committed work is kept."),
        (["migrate-db", "--to", "x"], "committed work is kept."),
        ([], "committed work is kept."),
    ],
)
def test_each_command_says_what_a_stop_leaves(args: list[str], left: str) -> None:
    assert stop_sentence(args, "Interrupted") == f"Interrupted; {left}"


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_a_stop_while_the_command_loads_is_one_sentence(stop: signal.Signals) -> None:
    """Ctrl-C in the third of a second the command's modules take to load raised inside an
    import, and Python printed its traceback. The stop is sent once the command is loading its
    modules: `-X importtime` reports each import as it ends."""
    # Unbuffered: communicate() reads the pipe itself, so what a buffered reader had read ahead
    # would be lost and the rest would start mid-line.
    process = subprocess.Popen(
        [sys.executable, "-X", "importtime", "-m", "hearings", "--help"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        bufsize=0,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert process.stderr is not None
    # Python's own start-up reports about 50 imports, the command's modules some 800 more: the
    # 200th is well inside the command's load.
    for reported, _ in enumerate(iter(process.stderr.readline, b""), start=1):
        if reported == 200:
            break
    process.send_signal(stop)
    _, rest_bytes = process.communicate(timeout=30)
    rest = rest_bytes.decode()
    said = [line for line in rest.splitlines() if not line.startswith("import time:")]
    assert "Traceback" not in rest, rest
    # Stopped while loading (the sentence), or later, once the command ran (its own sentence, or
    # --help already printed). Ctrl-C ends in 130, never by SIGINT itself (-2), which Python did
    # after the sentence when the Ctrl-C had landed as a string was evaluated (see entry.py).
    ends = (0, 130) if stop == signal.SIGINT else (0, -stop, 128 + stop)
    assert process.returncode in ends, (process.returncode, said)
    assert len(said) <= 1, said
