"""`hearings backup list|create|restore`: the backups in BACKUP_DIR, a verified backup now, and a
verified restore that keeps what it replaces."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from hearings.cli import app
from hearings.cli.day_log import open_day_log
from hearings.cli.environment import (
    backup_before_run,
    console,
    current_settings,
)
from hearings.errors import HearingsError
from hearings.reports.export import iso_utc
from hearings.reports.status import describe_size
from hearings.reports.verify_result import counted
from hearings.store.engine import database_label, sqlite_file

backup_app = typer.Typer(help="List, create and restore database backups.", no_args_is_help=True)
app.add_typer(backup_app, name="backup")

log = logging.getLogger(__name__)


@backup_app.command("list")
def backup_list(
    as_json: Annotated[bool, typer.Option("--json", help="Print the backups as JSON.")] = False,
) -> None:
    """List backups in BACKUP_DIR, newest first."""
    from hearings.sync.backups import list_backups, require_folder

    settings = current_settings()
    require_folder(settings.backup_dir)
    backups = list_backups(settings.backup_dir)
    if as_json:
        sys.stdout.write(
            json.dumps(
                [
                    {"path": str(b.path), "created_at": iso_utc(b.created_at), "size": b.size}
                    for b in backups
                ],
                indent=2,
            )
            + "\n"
        )
        return
    if not backups:
        console.print(f"No backups in {settings.backup_dir}.", highlight=False, markup=False)
        return
    table = Table("created (UTC)", "size", "backup")
    # The path is what `backup restore` takes: wrapped whole, never cut to an ellipsis, and last,
    # so a narrow terminal (80 columns when piped) gives it every column the others leave.
    table.columns[0].no_wrap = table.columns[1].no_wrap = True
    table.columns[2].overflow = "fold"
    for b in backups:
        table.add_row(
            b.created_at.strftime("%Y-%m-%d %H:%M:%S"), describe_size(b.size), Text(str(b.path))
        )
    console.print(table)


@backup_app.command("create")
def backup_create() -> None:
    """Back up the database now (verified with an integrity check)."""
    settings = current_settings()
    path = sqlite_file(settings.database_url)
    if path is not None and not path.exists():
        raise HearingsError(f"There is no database at {path} to back up.")
    made = backup_before_run(settings)
    if made is None:
        raise HearingsError(f"The database at {path} is empty; there is nothing to back up.")
    console.print(f"Backup written and verified: {made}", highlight=False, markup=False)


@backup_app.command("restore")
def backup_restore(
    path: Annotated[Path, typer.Argument(help="The backup file to restore.")],
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Restore a SQLite backup although stored values in it cannot be read back or "
            "are of another shape than hearings writes (`hearings verify` names them; "
            "`hearings rebuild` writes the derived tables again).",
        ),
    ] = False,
) -> None:
    """Verify a backup, then replace the database with it atomically (the old file is kept).

    Only a hearings database at a schema this version knows is restored; anything else is
    refused and the database is left as it was."""
    from hearings.sync.backups import restore_into

    settings = current_settings()
    # A restore replaces the database outside any run: the day's log file says so.
    open_day_log(settings, unlogged="what the restore replaces is written in no log")
    try:
        restored = restore_into(settings, path, now=datetime.now(UTC), force=force)
    except HearingsError as exc:
        log.error("backup restore refused: %s", exc)
        raise
    database = database_label(settings.database_url, absolute=True)
    kept = restored.kept
    if kept is None:
        done = f"Restored {path} into {database}."
    elif sqlite_file(settings.database_url) is None:
        done = f"Restored {path} into {database}; what it replaced is backed up as {kept}"
    else:
        done = f"Restored {path} into {database}; the replaced file is kept as {kept}"
    console.print(done, highlight=False, markup=False)
    log.info("backup restore: %s", done)
    removed = removed_sentence(restored.removed, settings.backup_retention_days)
    if removed:
        console.print(removed, highlight=False, markup=False)


def removed_sentence(removed: list[Path], retention_days: int) -> str | None:
    """What a restore or rebuild deleted of the databases set aside before it, or None."""
    if not removed:
        return None
    names = ", ".join(p.name for p in removed)
    return (
        f"Deleted {counted(len(removed), 'earlier database')} set aside beside it, older than "
        f"BACKUP_RETENTION_DAYS ({counted(retention_days, 'day')}): {names}"
    )
