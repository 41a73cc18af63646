"""`hearings rebuild`: the derived tables again, from the payload archive, with no API request."""

from __future__ import annotations

from datetime import UTC, datetime

from hearings.cli import app
from hearings.cli.data_commands import current_settings
from hearings.cli.monitor_commands import _require_existing, console
from hearings.store.engine import check_database, create_db_engine
from hearings.sync.backups import backup_now
from hearings.sync.lock import writer_lock
from hearings.sync.rebuild import rebuild_database


@app.command()
def rebuild() -> None:
    """Re-derive meetings, witnesses, committees, members, printed hearings and the search index
    from the archived payloads, under the writer lock and after a backup; no API request."""
    settings = current_settings()
    _require_existing(settings)
    check_database(settings.database_url)
    now = datetime.now(UTC)
    engine = create_db_engine(settings.database_url)
    try:
        with writer_lock(engine, settings.database_url):
            backup = backup_now(settings, now=now)
            result = rebuild_database(settings.database_url, now=now)
    finally:
        engine.dispose()
    derived = ", ".join(f"{n:,} {e.replace('_', ' ')}s" for e, n in result.derived.items())
    console.print(f"Rebuilt from the archive: {derived}.", highlight=False)
    if backup is not None:
        console.print(f"Backup taken first: {backup}", highlight=False)
    if result.replaced is not None:
        console.print(
            f"The database before the rebuild is kept as {result.replaced}", highlight=False
        )
    for entity, reasons in result.refused.items():
        console.print(
            f"[yellow]{len(reasons)} archived {entity.replace('_', ' ')}s were refused by "
            f"today's checks[/] and left out: {'; '.join(reasons[:5])}",
            highlight=False,
        )
