"""`--output` of export and report: the file to write, `-` (or none) for standard output. An
empty value is refused here, while it is still empty: as a path it reads as `.`, the folder."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from hearings.errors import UsageError


def output_file(text: str) -> Path:
    """Typer's parser for `--output`: an empty value is a usage error (exit 2), one sentence."""
    if not text:
        raise UsageError(
            "--output is empty; give the name of a file to write (or - for standard output)."
        )
    return Path(text)


OutputFile = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        parser=output_file,
        help="File to write, whole or not at all; - or none means standard output.",
    ),
]
