"""`hearings history EVENT_ID`: a meeting's versions from the payload archive, oldest first,
each with what changed in plain sentences."""

from __future__ import annotations

import json
import sys
from typing import Annotated

import typer

from hearings.cli import app
from hearings.cli.environment import console, current_settings, existing_database
from hearings.cli.text_values import utf8_text
from hearings.errors import HearingsError, UsageError, quoted
from hearings.reports.history import meeting_history
from hearings.reports.screen_text import printable
from hearings.web.history_document import history_document


@app.command()
def history(
    event_id: Annotated[
        str, typer.Argument(parser=utf8_text, help="The meeting's event id, e.g. 118278.")
    ],
    as_json_output: Annotated[
        bool,
        typer.Option(
            "--json", help="Print the history as JSON, the object /api/hearings/ID/history gives."
        ),
    ] = False,
) -> None:
    """Show every archived version of a meeting and what changed in each, oldest first."""
    settings = current_settings()
    event_id = event_id.strip()
    if not (event_id.isascii() and event_id.isdecimal()):  # '١٢٣' is decimal, and no event id
        raise UsageError(
            f"{quoted(event_id)} is not an event id: event ids are numbers, such as 118278 "
            "(`hearings export hearings` lists them)."
        )
    with existing_database(settings) as engine:
        entries = meeting_history(engine, event_id)
    if not entries:
        raise HearingsError(
            f"The archive holds no version of meeting {quoted(event_id)}. Versions are kept "
            "from the first import or update that fetches a meeting on."
        )
    if as_json_output:
        document = history_document(event_id, entries)
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        return
    for entry in entries:
        if entry.accepted_from_quarantine:
            run = "accepted from the quarantine"
        else:
            run = f"run {entry.run_id}" if entry.run_id is not None else "run unknown"
        seen = entry.first_seen.replace("T", " ").replace("Z", " UTC")
        console.print(f"[bold]Version {entry.version}[/] · {seen} · {run}", highlight=False)
        for sentence in entry.changes:
            console.print(f"  • {printable(sentence)}", highlight=False, markup=False)
