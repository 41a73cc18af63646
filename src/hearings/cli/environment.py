"""What the commands share: the settings, read with one sentence for a bad value; the database,
and the backup a writing command takes first."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from rich.console import Console
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from hearings.cli.failure_sentences import CONVERSION_ERRORS, value_at_fault
from hearings.config import Settings, load_settings
from hearings.errors import ConfigurationError, HearingsError, validation_problem
from hearings.logs import SharedConsole
from hearings.reports.verify_result import unreadable
from hearings.store.engine import sqlite_file
from hearings.store.opening import open_database

MISSING_KEY_SENTENCE = (
    "No Congress.gov API key: set CONGRESS_API_KEY (in the environment or .env); get a free key "
    "at https://api.congress.gov/sign-up/ (DEMO_KEY works for a few requests), or run "
    "`hearings demo` to use the bundled offline replica."
)

console = Console()
err_console = SharedConsole(stderr=True)  # logs and the progress display share it


def current_settings(**overrides: Any) -> Settings:
    try:
        # A .env file that cannot be read whole (not UTF-8, a line python-dotenv would skip, a
        # fifo) is a ConfigurationError already.
        return load_settings(**overrides)
    except ValueError as exc:
        reason = _first_error(exc).rstrip(".")
        raise ConfigurationError(f"The configuration is not valid: {reason}.") from None


def _first_error(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        field = ".".join(str(p) for p in first.get("loc", ())).upper()
        message = validation_problem(first)
        # A validator's own sentence names the setting already.
        return message if message.startswith(field) else f"{field}: {message}"
    return str(exc)


def backup_before_run(settings: Settings) -> str | None:
    from hearings.sync.backups import backup_now

    made = backup_now(settings, now=datetime.now(UTC))
    return str(made) if made is not None else None


def require_existing(settings: Settings) -> None:
    """A command that reads the database refuses, in one sentence, one that is not there."""
    path = sqlite_file(settings.database_url)
    if path is not None and not path.exists():
        raise HearingsError(
            f"There is no database at {path}; create it with `hearings import --congress N` "
            "(or try `hearings demo`)."
        )
    if path is not None and path.is_file() and path.stat().st_size == 0:
        # An empty file (`touch`, a failed copy) is no database yet; reading must not make one.
        raise HearingsError(
            f"The database file {path} is empty; fill it with `hearings import --congress N` "
            "(or try `hearings demo`)."
        )


@contextmanager
def existing_database(settings: Settings, *, migrate_schema: bool = True) -> Iterator[Engine]:
    """The existing database, with read failures turned into one sentence."""
    require_existing(settings)
    # Reading is enough: a read-only database is opened read-only instead of refused.
    engine = open_database(
        settings.database_url, migrate_schema=migrate_schema, allow_read_only=True
    )
    try:
        yield engine
    except DBAPIError as exc:
        raise unreadable(settings.database_url, exc) from None
    except CONVERSION_ERRORS:
        found = value_at_fault(engine)
        if found is None:
            raise
        raise found from None
    finally:
        engine.dispose()
