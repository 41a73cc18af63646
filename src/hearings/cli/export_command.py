"""`hearings export`: one record per entity as JSON Lines or CSV, to stdout or a file written
whole or not at all."""

from __future__ import annotations

import sys
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

import typer

from hearings.cli import app
from hearings.cli.congress_option import FilterCongresses
from hearings.cli.environment import current_settings, err_console, existing_database
from hearings.cli.output_option import OutputFile
from hearings.errors import UsageError, quoted
from hearings.reports.output_file import check_output_path, means_standard_output, written_whole
from hearings.store.engine import sqlite_file


class ExportFormat(StrEnum):
    jsonl = "jsonl"
    csv = "csv"


def _parse_since(value: str | None) -> date | datetime | None:
    if value is None:
        return None
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(
            f"--since {quoted(value)} is not a date; use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ."
        ) from None


@app.command()
def export(
    entity: Annotated[
        str, typer.Argument(help="hearings, witnesses, committees, members or appearances.")
    ],
    fmt: Annotated[
        ExportFormat, typer.Option("--format", help="jsonl or csv.")
    ] = ExportFormat.jsonl,
    output: OutputFile = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Only records changed since this date.")
    ] = None,
    congress: FilterCongresses = None,
) -> None:
    """Export one record per entity as JSON Lines or CSV (the format is in the README).

    --congress keeps the meetings and appearances of those Congresses, the witnesses who appeared
    in them and the committees that met in them (members are not stored by Congress)."""
    from hearings.reports.export import write_export

    settings = current_settings()
    moment = _parse_since(since)
    congresses = None if congress is None or congress.is_all else congress.numbers
    to_file = None if means_standard_output(output) else output
    if to_file is not None:
        # Before the database is opened: nothing is written.
        check_output_path(to_file, database=sqlite_file(settings.database_url))
    # An export never creates the database, and a damaged one is one sentence.
    with existing_database(settings) as engine:
        if to_file is None:
            write_export(
                engine, entity, sys.stdout, fmt=fmt.value, since=moment, congresses=congresses
            )
            sys.stdout.flush()
            return
        with written_whole(to_file) as handle:
            count = write_export(
                engine, entity, handle, fmt=fmt.value, since=moment, congresses=congresses
            )
    err_console.print(f"Wrote {count} {entity} to {to_file}", highlight=False)
