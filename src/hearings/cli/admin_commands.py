"""Commands that administer databases rather than their content: migrate-db."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from hearings.cli import app
from hearings.config_values import shown_database_url, sqlite_home_expanded
from hearings.errors import UsageError
from hearings.store.copy import copy_database

console = Console()
err_console = Console(stderr=True)


@app.command("migrate-db")
def migrate_db(
    from_url: Annotated[
        str, typer.Option("--from", help="The database to copy, e.g. sqlite:///hearings.db.")
    ],
    to_url: Annotated[
        str,
        typer.Option("--to", help="The database to fill, e.g. postgresql+psycopg://u@host/db."),
    ],
    replace: Annotated[
        bool, typer.Option("--replace", help="Overwrite a target that already holds rows.")
    ] = False,
) -> None:
    """Copy a whole database to another backend (SQLite ⇄ PostgreSQL) and verify the counts.

    The target is created or migrated first; the copy is one transaction on it, so a failed
    copy changes nothing.
    """
    try:
        # `~` as DATABASE_URL reads it: a shell leaves `sqlite:///~/x.db` as it is.
        from_url = sqlite_home_expanded(from_url, "--from's file")
        to_url = sqlite_home_expanded(to_url, "--to's file")
    except ValueError as exc:
        raise UsageError(f"{exc}.") from None
    counts = copy_database(from_url, to_url, replace=replace)
    table = Table("table", "rows", title="Copied and verified")
    for name, count in counts.items():
        table.add_row(name, str(count))
    console.print(table)
    console.print(
        f"{sum(counts.values())} rows copied from {shown_database_url(from_url)} to "
        f"{shown_database_url(to_url)}; every table's count matches.",
        highlight=False,
        markup=False,
    )
