"""The settings that name a place on disk (BACKUP_DIR, LOG_DIR, a SQLite DATABASE_URL) read a
leading `~` as a shell does, the home folder: from a `.env` file or a quoted value nothing
expanded it, and each made a folder literally named `~` in the working folder. An empty
BACKUP_DIR or LOG_DIR, which as a path is the working folder, is one sentence and exit 2."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.cli_runs import run_hearings


def _places(tmp_path: Path) -> tuple[Path, Path]:
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    return home, work


def _run(home: Path, work: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    kept = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("CONGRESS_", "DATABASE_", "BACKUP_", "LOG_"))
    }
    return run_hearings(list(args), env={**kept, **settings, "HOME": str(home)}, cwd=work)


def test_a_leading_tilde_is_the_home_folder_in_every_path_setting(tmp_path: Path) -> None:
    home, work = _places(tmp_path)
    (work / ".env").write_text(
        'BACKUP_DIR="~/hearings/backups"\nLOG_DIR=~/hearings/logs\n'
        "DATABASE_URL=sqlite:///~/hearings/hearings.db\n",
        encoding="utf-8",
    )
    (home / "hearings").mkdir()
    result = _run(home, work, "demo", "--congress", "119")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in work.iterdir()) == [".env"]  # no folder named ~
    kept = home / "hearings"
    assert (kept / "hearings.db").stat().st_size > 0
    assert [p.suffix for p in (kept / "backups").iterdir()] == [".db"]
    assert [p.name.startswith("daily_update_") for p in (kept / "logs").iterdir()] == [True]
    status = _run(home, work, "status", "--json")
    assert status.returncode == 0, status.stderr
    assert str(kept / "hearings.db") in status.stdout


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        ("BACKUP_DIR", "~no-such-user-s18/backups", "BACKUP_DIR '~no-such-user-s18/backups'"),
        ("LOG_DIR", "~no-such-user-s18", "LOG_DIR '~no-such-user-s18'"),
        (
            "DATABASE_URL",
            "sqlite:///~no-such-user-s18/h.db",
            "DATABASE_URL's file '~no-such-user-s18/h.db'",
        ),
    ],
)
def test_the_home_of_a_user_the_system_does_not_know_is_one_sentence(
    tmp_path: Path, name: str, value: str, shown: str
) -> None:
    home, work = _places(tmp_path)
    result = _run(home, work, "status", **{name: value})
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"Error: The configuration is not valid: {shown} starts with ~, the home folder of "
        "'no-such-user-s18', a user this system does not know; give the full path."
    ]
    assert list(work.iterdir()) == [] and list(home.iterdir()) == []


@pytest.mark.parametrize(("name", "default"), [("BACKUP_DIR", "backups"), ("LOG_DIR", "logs")])
@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_folder_setting_is_refused_not_read_as_the_working_folder(
    tmp_path: Path, name: str, default: str, value: str
) -> None:
    # BACKUP_DIR= put the backups among the working folder's files (the probe's demo did).
    home, work = _places(tmp_path)
    sentence = (
        f"Error: The configuration is not valid: {name} is empty, which would mean the working "
        f"folder; name a folder, e.g. {default} (the default), or leave {name} unset."
    )
    result = _run(home, work, "demo", "--congress", "119", **{name: value})
    assert result.returncode == 2
    assert result.stderr.splitlines() == [sentence]
    assert list(work.iterdir()) == []
    (work / ".env").write_text(f"{name}={value}\n", encoding="utf-8")
    result = _run(home, work, "demo", "--congress", "119")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [sentence]
    assert sorted(p.name for p in work.iterdir()) == [".env"]
