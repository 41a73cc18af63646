"""A `.env` file that cannot be read whole is one sentence and exit 2 before anything runs: a
line python-dotenv cannot parse (it logged a warning and left the setting out, so a run went on
without the key), and a file that is not a regular file (a fifo blocked every command). The
sentence names the file and the line, never the line's text."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli_runs import run_hearings, run_hearings_process

SECRET = "s3cret-key-9f2"


def _env(home: Path) -> dict[str, str]:
    kept = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("CONGRESS_", "DATABASE_", "BACKUP_", "LOG_", "ADMIN_"))
    }
    # Nothing listens there: a run the file failed to stop (as before) fails at once, offline.
    offline = {"CONGRESS_API_BASE_URL": "http://127.0.0.1:9/v3", "API_MAX_RETRIES": "0"}
    return {**kept, **offline, "HOME": str(home)}


def _run(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_hearings(list(args), env=_env(folder), cwd=folder)


@pytest.mark.parametrize(
    ("lines", "line", "setting", "why"),
    [
        # The probe's case: the key was left out, and the run went on without it.
        (
            f'CONGRESS_API_KEY="{SECRET}\nLOG_LEVEL=INFO\n',
            1,
            "CONGRESS_API_KEY",
            "its value opens a quote that is not closed on that line",
        ),
        # Counted from the first line, blank lines and comments included.
        (
            f"# hearings\n\nLOG_LEVEL=INFO\n\n\nCONGRESS_API_KEY='{SECRET}\n",
            6,
            "CONGRESS_API_KEY",
            "its value opens a quote that is not closed on that line",
        ),
        # A quote python-dotenv closes lines later, where a value starts, is still this line's.
        (
            f'LOG_LEVEL=INFO\nexport DATABASE_URL="sqlite:///{SECRET}.db\nADMIN_TOKEN="t"\n',
            2,
            "DATABASE_URL",
            "its value opens a quote that is not closed on that line",
        ),
        (
            f'CONGRESS_API_KEY="{SECRET}" # ok\nADMIN_TOKEN="{SECRET}" and more\n',
            2,
            "ADMIN_TOKEN",
            "it is not NAME=value (text after a closing quote, or no =)",
        ),
        # A name that is not a setting is not named: it could be anything, the key too.
        (
            f'{SECRET}="x\n',
            1,
            "",
            "its value opens a quote that is not closed on that line",
        ),
    ],
    ids=["key-unclosed", "line-counted", "quote-closed-lines-later", "text-after-quote", "no-name"],
)
def test_a_line_that_cannot_be_read_is_one_sentence_naming_the_file_and_line(
    tmp_path: Path, lines: str, line: int, setting: str, why: str
) -> None:
    (tmp_path / ".env").write_text(lines, encoding="utf-8")
    for command in (["import", "--congress", "119"], ["status"]):
        result = _run(tmp_path, *command)
        assert result.returncode == 2, result.stderr
        named = f" ({setting})" if setting else ""
        assert result.stderr.splitlines() == [
            f"Error: The configuration is not valid: line {line} of {tmp_path / '.env'}{named} "
            f"cannot be read: {why}, so the setting would be left out; write it as NAME=value, "
            "in quotes when the value holds spaces or #."
        ]
        assert SECRET not in result.stdout + result.stderr
    assert [p.name for p in tmp_path.iterdir()] == [".env"]


def test_a_file_python_dotenv_reads_whole_is_read_as_before(tmp_path: Path) -> None:
    # A byte-order mark, `export`, comments, a quoted # and a value over two lines are all
    # python-dotenv's syntax, and a name alone is a name without a value.
    (tmp_path / ".env").write_bytes(
        b'\xef\xbb\xbf# settings\nexport LOG_LEVEL=debug  # quiet later\nADMIN_TOKEN="two\n'
        b'lines"\nDATABASE_URL="sqlite:///kept #1.db"\nCONGRESS_API_KEY\n'
    )
    result = _run(tmp_path, "status")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "Error: There is no database at kept #1.db; create it with `hearings import --congress "
        "N` (or try `hearings demo`)."
    )


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _folder(path: Path) -> None:
    path.mkdir()


def _link_to_nothing(path: Path) -> None:
    path.symlink_to(path.with_name("settings.env"))


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (
            _fifo,
            "is a named pipe (fifo), not a file of settings; make it a regular file of "
            "NAME=value lines, or set the variables in the environment.",
        ),
        (
            _folder,
            "is a folder, not a file of settings; make it a regular file of NAME=value lines, "
            "or set the variables in the environment.",
        ),
        (
            _link_to_nothing,
            "is a symbolic link to {folder}/settings.env, which does not exist; point it at "
            "your settings file, or remove it.",
        ),
    ],
)
def test_a_dotenv_that_is_not_a_regular_file_is_one_sentence(
    tmp_path: Path, make: Callable[[Path], None], says: str
) -> None:
    env_file = tmp_path / ".env"
    make(env_file)
    # A process of its own: reading a fifo no one writes to waited forever, until the timeout.
    result = run_hearings_process(["status"], env=_env(tmp_path), cwd=tmp_path, timeout=60)
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [
        f"Error: The configuration is not valid: {env_file} {says.format(folder=tmp_path)}"
    ]
    assert [p.name for p in tmp_path.iterdir()] == [".env"]
