"""How this `hearings` was started, so that hints name a command that works when pasted."""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path


def program(argv0: str | None = None, executable: str | None = None) -> str:
    """`hearings` when that name on PATH runs this program; otherwise the path it was started by
    (`.venv/bin/hearings`), or `python -m hearings` with this interpreter."""
    started_as = sys.argv[0] if argv0 is None else argv0
    python = sys.executable if executable is None else executable
    on_path = shutil.which("hearings")
    if Path(started_as).name == "hearings":
        if on_path and _same_file(on_path, started_as):
            return "hearings"
        return shlex.quote(_shown(started_as))
    if Path(started_as).name == "__main__.py":
        beside_python = Path(os.path.abspath(python)).parent
        if on_path and Path(os.path.abspath(on_path)).parent == beside_python:
            return "hearings"
        return f"{shlex.quote(_shown(python))} -m hearings"
    return "hearings"  # started from Python (a test, a notebook): the installed name


def _same_file(first: str, second: str) -> bool:
    try:
        return os.path.samefile(first, second)
    except OSError:
        return False


def _shown(path: str) -> str:
    """The path relative to the working folder when it lies inside it, else as it is."""
    absolute = Path(os.path.abspath(path))
    try:
        relative = absolute.relative_to(Path.cwd())
    except ValueError:
        return path
    return str(relative) if len(relative.parts) > 1 else f"./{relative}"
