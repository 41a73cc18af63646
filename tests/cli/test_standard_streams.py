"""Standard output that cannot take what a command writes ends the command in one sentence with
the command's exit status: closed, on a full disk when Python buffers it (no PYTHONUNBUFFERED),
or in an encoding other than UTF-8. Each needs a process of its own: the streams are the
process's."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_runs import run_hearings


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with an empty hearings database: enough for status and export to write."""
    made = tmp_path_factory.mktemp("streams")
    assert run_hearings(["init"], env=_env(made), cwd=made).returncode == 0
    return made


def _env(folder: Path, **extra: str) -> dict[str, str]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": str(folder),
        "LOG_DIR": str(folder / "logs"),
        "COLUMNS": "100",
    }
    env.update(extra)
    return env


def _hearings(
    folder: Path, args: list[str], redirect: str, **extra: str
) -> subprocess.CompletedProcess[bytes]:
    """`hearings ARGS` with its standard output as the shell's `redirect` sets it."""
    return subprocess.run(
        ["bash", "-c", f'exec "$@" {redirect}', "_", sys.executable, "-m", "hearings", *args],
        capture_output=True,
        cwd=folder,
        env=_env(folder, **extra),
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("args", [["status", "--json"], ["report", "--format", "markdown"]])
def test_a_closed_standard_output_is_one_sentence(folder: Path, args: list[str]) -> None:
    # Python leaves sys.stdout None: every sys.stdout.write was an internal error (AttributeError).
    result = _hearings(folder, args, ">&-")
    assert result.returncode == 1
    assert result.stderr.decode() == "Error: Cannot write the output: standard output is closed.\n"


@pytest.mark.parametrize("args", [["status", "--json"], ["--help"]])
def test_a_full_disk_under_buffered_standard_output_keeps_the_exit_status(
    folder: Path, args: list[str]
) -> None:
    # Without PYTHONUNBUFFERED the output waited in Python's buffer until exit, whose failed
    # flush made the exit status 120, with no sentence for status --json.
    result = _hearings(folder, args, ">/dev/full")
    assert result.returncode == 1
    assert result.stderr.decode() == "Error: Cannot write the output: No space left on device.\n"


def test_standard_output_in_another_encoding_gets_utf8_not_an_internal_error(
    folder: Path,
) -> None:
    # Help text holds characters ASCII has not: it was 'Internal error: UnicodeEncodeError'.
    result = _hearings(folder, ["--help"], "", PYTHONIOENCODING="ascii")
    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    assert "⇄".encode() in result.stdout or any(byte > 127 for byte in result.stdout)
    result.stdout.decode("utf-8")  # the bytes an --output file would hold
