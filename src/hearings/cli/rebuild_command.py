"""`hearings rebuild`: the derived tables again, from the payload archive, with no API request."""

from __future__ import annotations

import json
import logging
import sys
import time
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.markup import escape

from hearings.cli import app
from hearings.cli.backup_commands import removed_sentence
from hearings.cli.day_log import open_day_log
from hearings.cli.environment import console, current_settings, require_existing
from hearings.errors import HearingsError, quoted
from hearings.reports.screen_text import printable
from hearings.reports.verify_result import counted
from hearings.store.engine import create_db_engine, sqlite_file
from hearings.store.opening import open_database
from hearings.store.writer_lock import writer_lock
from hearings.sync.backups import backup_now
from hearings.sync.gate import Entity
from hearings.sync.rebuild import rebuild_database
from hearings.sync.rebuild_derive import ENTITY_ORDER
from hearings.sync.runner import EXIT_QUARANTINED
from hearings.sync.set_aside import prune_set_aside

# The entities `--entity` names, and the order the summary shows them in.
_NAMES: dict[str, Entity] = {
    "committees": "committee",
    "members": "member",
    "meetings": "meeting",
    "printed_hearings": "printed_hearing",
}
_PLURAL: dict[str, str] = {entity: name for name, entity in _NAMES.items()}
_SHOWN: tuple[Entity, ...] = ("committee", "member", "meeting", "printed_hearing")

log = logging.getLogger(__name__)


@app.command()
def rebuild(
    entity_names: Annotated[
        list[str] | None,
        typer.Option(
            "--entity",
            help="Only these: meetings, printed_hearings, committees, members (repeat it, or "
            "give a comma list). Default: all of them.",
        ),
    ] = None,
    as_json_output: Annotated[
        bool,
        typer.Option(
            "--json",
            help="Print what was rebuilt as JSON: counts, what was quarantined, the backup, "
            "the replaced file and the seconds it took.",
        ),
    ] = False,
) -> None:
    """Re-derive meetings, witnesses, committees, members, printed hearings and the search index
    from the archived payloads, under the writer lock and after a backup; no API request."""
    entities = _entities(entity_names or [])
    settings = current_settings()
    require_existing(settings)
    # Refused as every writer is (a newer schema, a read-only file, folder, mount or server),
    # before the writer lock's file is made beside the database.
    open_database(settings.database_url, migrate_schema=False).dispose()
    # A rebuild replaces the database outside any run: the day's log file says so.
    open_day_log(settings, unlogged="what the rebuild replaces is written in no log")
    now = datetime.now(UTC)
    started = time.monotonic()
    engine = create_db_engine(settings.database_url)
    try:
        with writer_lock(engine, settings.database_url):
            result = rebuild_database(
                settings.database_url,
                now=now,
                entities=entities,
                backup=lambda: backup_now(settings, now=now),
            )
            # Only once the rebuilt file is checked and in place, and still under the lock.
            database = sqlite_file(settings.database_url)
            removed = (
                prune_set_aside(database, settings.backup_retention_days, now=now)
                if database is not None and result.replaced is not None
                else []
            )
    except HearingsError as exc:
        log.error("rebuild refused: %s", exc)
        raise
    finally:
        engine.dispose()
    if as_json_output:
        document = {
            # Named as `--entity` names them.
            "rebuilt": {_PLURAL[e]: result.derived[e] for e in _SHOWN if e in result.derived},
            "quarantined": {_PLURAL[e]: reasons for e, reasons in result.refused.items()},
            "backup": str(result.backup) if result.backup is not None else None,
            "replaced": str(result.replaced) if result.replaced is not None else None,
            "removed": [str(p) for p in removed],
            "seconds": round(time.monotonic() - started, 3),
        }
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    derived = ", ".join(
        f"{n:,} {e.replace('_', ' ')}{'' if n == 1 else 's'}"
        for e in _SHOWN
        if e in result.derived
        for n in [result.derived[e]]
    )
    lines = [f"Rebuilt from the archive: {derived}."]
    if result.backup is not None:
        lines.append(f"Backup of the database before the rebuild: {result.backup}")
    if result.replaced is not None:
        lines.append(f"The database before the rebuild is kept as {result.replaced}")
    deleted = removed_sentence(removed, settings.backup_retention_days)
    if deleted:
        lines.append(deleted)
    if not as_json_output:
        for line in lines:
            console.print(line, highlight=False, markup=False)  # paths: shown, not read
    log.info("rebuild: %s", "; ".join(lines))
    for entity, reasons in result.refused.items():
        refused = counted(len(reasons), "archived " + entity.replace("_", " "), "were")
        if not as_json_output:
            console.print(
                f"[yellow]{refused} refused by today's checks[/], left out and quarantined (the "
                f"next update fetches them again; `hearings quarantine list` shows them): "
                f"{escape(printable('; '.join(reasons[:5])))}",  # reasons quote API data
                highlight=False,
            )
        for reason in reasons:
            log.warning("rebuild quarantined %s %s", entity.replace("_", " "), reason)
    if result.refused:
        raise typer.Exit(EXIT_QUARANTINED)


def _entities(given: list[str]) -> tuple[Entity, ...]:
    """The entities named by `--entity` (all when none), in the order a rebuild derives them."""
    # Each name as given (for a refusal to quote), and read: printed-hearings is printed_hearings.
    given_as = {n.strip(): n.strip().lower().replace("-", "_") for v in given for n in v.split(",")}
    given_as.pop("", None)
    if given and not given_as:  # `--entity ''`: asked for something, named nothing
        raise typer.BadParameter(f"name one of {', '.join(_NAMES)}.", param_hint="--entity")
    unknown = sorted(quoted(shown) for shown, name in given_as.items() if name not in _NAMES)
    if unknown:
        raise typer.BadParameter(
            f"{', '.join(unknown)} {'is' if len(unknown) == 1 else 'are'} not one of "
            f"{', '.join(_NAMES)}.",
            param_hint="--entity",
        )
    names = set(given_as.values())
    chosen = {_NAMES[n] for n in names} or set(ENTITY_ORDER)
    return tuple(e for e in ENTITY_ORDER if e in chosen)
