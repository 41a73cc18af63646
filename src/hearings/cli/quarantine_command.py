"""`hearings quarantine list|accept|reject`: review versions held as suspicious
(SUSPICIOUS_CHANGES=hold). Accept applies the held version; reject discards it for good."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from hearings.cli import app
from hearings.cli.day_log import open_day_log
from hearings.cli.environment import console, current_settings, existing_database, require_existing
from hearings.reports.export import iso_utc
from hearings.reports.report import QuarantineLine, open_quarantine
from hearings.reports.screen_text import printable
from hearings.reports.verify_result import counted
from hearings.store.opening import open_database
from hearings.sync.backups import backup_now
from hearings.sync.quarantine import SUSPICIOUS_PREFIX
from hearings.sync.review import ReviewOutcome, accept, held_versions, reject

quarantine_app = typer.Typer(
    help="Review suspicious changes held for review: list, accept or reject them.",
    no_args_is_help=True,
)
app.add_typer(quarantine_app, name="quarantine")

log = logging.getLogger(__name__)

EntryId = Annotated[
    int, typer.Argument(metavar="ID", help="The entry's id, as `hearings quarantine list` shows.")
]


@quarantine_app.command("list")
def quarantine_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print the entries as JSON.")] = False,
) -> None:
    """List the suspicious versions held for review, oldest first; then the other records in
    the quarantine, which every update retries and no one reviews."""
    settings = current_settings()
    with existing_database(settings) as engine, engine.connect() as connection:
        held = held_versions(connection)
        waiting = [
            line
            for line in open_quarantine(connection)
            if not line.reason.startswith(SUSPICIOUS_PREFIX)
        ]
    if as_json:
        entries = [
            {
                "id": h.error_id,
                "event_id": h.event_id,
                "reason": h.reason,
                "attempts": h.attempts,
                "first_seen_at": iso_utc(h.first_seen_at),
                "last_seen_at": iso_utc(h.last_seen_at),
            }
            for h in held
        ]
        sys.stdout.write(json.dumps(entries, indent=2, ensure_ascii=False) + "\n")
        return
    if not held:
        console.print("No suspicious changes are held for review.", highlight=False)
        _print_waiting(waiting)
        return
    table = Table("id", "meeting", "held since (UTC)", "seen", "reason")
    for h in held:
        table.add_row(
            str(h.error_id),
            Text(printable(h.event_id)),  # from the data: shown, never read as markup
            h.first_seen_at.strftime("%Y-%m-%d %H:%M"),
            f"{h.attempts}×",
            Text(printable(h.reason)),
        )
    console.print(table)
    console.print(
        "Accept one with `hearings quarantine accept ID`, reject it with "
        "`hearings quarantine reject ID`.",
        highlight=False,
    )
    _print_waiting(waiting)


def _print_waiting(waiting: list[QuarantineLine]) -> None:
    """The records quarantined for what they are (malformed, not the one asked for…): shown so
    that an empty review list never reads as an empty quarantine."""
    if not waiting:
        return
    one = len(waiting) == 1
    console.print(
        f"{counted(len(waiting), 'other record', 'are')} in the quarantine: every update retries "
        f"{'it' if one else 'them'}, and {'it needs' if one else 'they need'} no review.",
        highlight=False,
    )
    table = Table("record", "since (UTC)", "seen", "reason")
    for line in waiting:
        table.add_row(
            Text(printable(f"{line.entity} {line.identifier}")),
            (line.first_seen or "")[:16].replace("T", " "),
            f"{line.attempts}×",
            Text(printable(line.reason)),
        )
    console.print(table)


@quarantine_app.command("accept")
def quarantine_accept(error_id: EntryId) -> None:
    """Apply the held version now (or, when it cannot be yet, on the next update)."""
    _print(_review("accept", error_id))


@quarantine_app.command("reject")
def quarantine_reject(error_id: EntryId) -> None:
    """Discard the held version: it is never applied unless upstream changes the meeting again."""
    _print(_review("reject", error_id))


def _review(decision: str, error_id: int) -> ReviewOutcome:
    settings = current_settings()
    require_existing(settings)
    # A review writes outside any run: the day's log file says what was decided, as /admin's does.
    open_day_log(settings, unlogged="the decision is written in no log")
    engine = open_database(settings.database_url)
    try:
        outcome = (accept if decision == "accept" else reject)(
            engine, error_id, backup=lambda: backup_now(settings, now=datetime.now(UTC))
        )
    finally:
        engine.dispose()
    log.info("quarantine %s %s: %s", decision, error_id, outcome.sentence)
    return outcome


def _print(outcome: ReviewOutcome) -> None:
    console.print(printable(outcome.sentence), highlight=False, markup=False, soft_wrap=True)
    if outcome.backup_path is not None:
        console.print(
            f"Backup taken first: {outcome.backup_path}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
