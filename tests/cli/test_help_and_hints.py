"""`hearings --help` at 80 columns, and hints that name a command that works when pasted."""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from hearings.cli import main
from hearings.cli.help_layout import COMMAND_ORDER
from hearings.cli.invocation import program

SCRIPT = Path(sys.executable).parent / "hearings"  # the console script `pip install` made


def help_text(*args: str, own_process: bool = False) -> str:
    """`hearings ARGS --help` at 80 columns: in this process (the same code, without a second
    second of start-up per command), or as a process of its own."""
    env = {"COLUMNS": "80", "TERM": "dumb"}
    if own_process:
        done = subprocess.run(
            [sys.executable, "-m", "hearings", *args, "--help"],
            capture_output=True,
            text=True,
            env={**os.environ, **env},
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout
    out = io.StringIO()
    code: object = 0
    with mock.patch.dict(os.environ, env), contextlib.redirect_stdout(out):
        try:
            main([*args, "--help"])
        except SystemExit as exited:
            code = exited.code
    assert code in (0, None), out.getvalue()
    return out.getvalue()


def listed_commands(text: str) -> list[str]:
    panel = text[text.index("Commands") :]
    return re.findall(r"^│ ([a-z][a-z-]+) ", panel, re.M)


def test_commands_are_listed_in_the_order_a_user_needs_them() -> None:
    listed = listed_commands(help_text(own_process=True))
    assert listed[:4] == ["demo", "import", "update", "status"]
    assert listed == list(COMMAND_ORDER)


@pytest.mark.parametrize(
    "command",
    [
        *[[name] for name in COMMAND_ORDER],
        ["backup", "list"],
        ["backup", "create"],
        ["backup", "restore"],
    ],
    ids=" ".join,
)
def test_help_has_no_type_label_on_flags_and_no_break_mid_sentence(command: list[str]) -> None:
    text = help_text(*command)
    assert "<bool>" not in text
    description = text[: text.index("╭")].splitlines()
    for line, following in zip(description, description[1:], strict=False):
        if line.strip() and following.strip():
            # A line broken early would have had room for the next line's first word.
            assert len(line.rstrip()) + 1 + len(following.split()[0]) > 79, (line, following)


def every_command() -> list[tuple[list[str], list[str]]]:
    """Each command and subcommand of `hearings`, with the option names it declares."""
    import typer.main

    from hearings.cli import _register_commands, app

    _register_commands()
    found: list[tuple[list[str], list[str]]] = []

    def walk(command: Any, path: list[str]) -> None:
        if hasattr(command, "commands"):  # a group: `hearings`, `hearings backup`
            for name, sub in command.commands.items():
                walk(sub, [*path, name])
            return
        names = [o for p in command.params for o in (*p.opts, *p.secondary_opts) if "--" in o]
        found.append((path, names))

    walk(typer.main.get_command(app), [])
    return found


COMMANDS = every_command()


@pytest.mark.parametrize(
    "command,option_names", COMMANDS, ids=[" ".join(path) for path, _ in COMMANDS]
)
def test_help_at_80_columns_shows_every_option_name_whole(
    command: list[str], option_names: list[str]
) -> None:
    text = help_text(*command)
    options = text[text.index("Options") :]
    cells = [c for line in options.splitlines() for c in line.strip("│ ").split()]
    assert not [c for c in cells if c.startswith("-") and "…" in c]
    assert set(option_names) <= {c.strip(",") for c in cells}


def test_verify_is_summed_up_in_one_sentence() -> None:
    text = help_text()
    entry = text[text.index("│ verify") : text.index("│ backup")]
    joined = " ".join(part.strip(" │") for part in entry.splitlines()).removeprefix("verify")
    assert " ".join(joined.split()) == (
        "Check the database's integrity and consistency; --reconcile compares it with the API."
    )


def test_verify_help_says_what_congress_narrows_and_names_every_check() -> None:
    """`--congress` narrows `--reconcile` only; its help said "Only these Congresses", and the
    checks it listed left out five of the fourteen."""
    text = " ".join(help_text("verify").replace("│", " ").split())
    assert "With --reconcile, only these Congresses" in text
    assert "The checks always read the whole database." in text
    for check in ("schema", "stored values", "JSON shapes", "unfinished runs", "payload archive"):
        assert check in text


def test_the_name_on_path_is_used_when_it_runs_this_program(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert SCRIPT.exists(), "the package is not installed with its console script"
    monkeypatch.setenv("PATH", f"{SCRIPT.parent}{os.pathsep}/usr/bin:/bin")
    assert program(str(SCRIPT)) == "hearings"
    assert program(str(SCRIPT.parent / "hearings" / "__main__.py"), sys.executable) == "hearings"


def test_otherwise_the_path_it_was_started_by(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    monkeypatch.chdir(SCRIPT.parent.parent.parent)  # the folder holding .venv
    relative = str(SCRIPT.relative_to(Path.cwd()))
    assert program(relative) == relative  # `.venv/bin/hearings`
    monkeypatch.chdir(tmp_path)
    assert program(str(SCRIPT)) == str(SCRIPT)
    main = str(Path("/somewhere/hearings/__main__.py"))
    assert program(main, sys.executable) == f"{sys.executable} -m hearings"


def test_the_demo_prints_hints_that_work_when_pasted(tmp_path: Path) -> None:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CONGRESS_API")},
        "PATH": "/usr/bin:/bin",  # `hearings` alone would not be found
        "DATABASE_URL": f"sqlite:///{tmp_path / 'hearings.db'}",
        "LOG_DIR": str(tmp_path / "logs"),
        "BACKUP_DIR": str(tmp_path / "backups"),
    }
    done = subprocess.run(
        [str(SCRIPT), "demo"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    hints = done.stdout.splitlines()[-3:]
    assert hints == [
        f"  {SCRIPT} status",
        f"  {SCRIPT} export hearings --format csv",
        f"  {SCRIPT} serve",
    ]
    status = subprocess.run(
        [str(SCRIPT), "status"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert status.returncode == 0, status.stderr
    assert "160 meetings" in " ".join(status.stdout.split())  # the 118th and the 119th
