"""Making an engine: the backend and file a URL names, SQLite's pragmas and IMMEDIATE
transactions for writers, and how messages name a database. Opening one is `store.opening`."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import TypeVar

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from hearings.config import unparsable_database_url
from hearings.config_values import shown_database_url
from hearings.errors import ConfigurationError, DatabaseUnreadable
from hearings.store.postgres import configure_postgres, connect_limits

# The execution option that makes an engine's or a connection's SQLite transactions IMMEDIATE.
_BEGIN_IMMEDIATE = "hearings_begin_immediate"
Bind = TypeVar("Bind", Engine, Connection)


def writing(bind: Bind) -> Bind:
    """`bind` for transactions that write. On SQLite they begin IMMEDIATE, taking the write lock
    first and waiting for it (busy_timeout). A deferred transaction that reads before it writes
    cannot wait: SQLite refuses its first write at once ("database is locked") whenever another
    connection holds the write lock, even briefly, as one closing does to checkpoint the WAL.
    A connection is changed in place; an engine is copied."""
    return bind.execution_options(**{_BEGIN_IMMEDIATE: True})


def is_sqlite(engine_or_url: Engine | str) -> bool:
    url = engine_or_url if isinstance(engine_or_url, str) else str(engine_or_url.url)
    return url.startswith("sqlite")


def sqlite_file(database_url: str) -> Path | None:
    """The file behind a `sqlite:///` URL, or None for memory databases and other backends. A
    symbolic link is followed: a restore or rebuild then replaces the file and keeps the link,
    and a user of the link and one of the file share one writer lock. A URI filename
    (`sqlite:///file:/path.db?mode=rw&uri=true`, as `open_database` makes for an existing file)
    names the file after `file:`, so its lock is the one every command takes."""
    if not is_sqlite(database_url):
        return None
    url = make_url(database_url)
    database = url.database
    if database and url.query.get("uri") == "true" and database.startswith("file:"):
        database = database.removeprefix("file:")
        if database.startswith("//"):  # file://localhost/path.db, file:///path.db
            authority, slash, rest = database[2:].partition("/")
            database = slash + rest if authority in ("", "localhost") else database
    if not database or database == ":memory:":
        return None
    path = Path(database)
    if not path.is_symlink():
        return path
    try:
        return path.resolve()
    except (RuntimeError, OSError):  # Python 3.11 raises RuntimeError for a loop
        raise DatabaseUnreadable(
            f"The database path {path} is a symbolic link that leads back to itself (a loop); "
            "point DATABASE_URL at a database file."
        ) from None


def create_db_engine(database_url: str) -> Engine:
    """An engine with the settings every command relies on: foreign keys, WAL, transactions."""
    unreadable = unparsable_database_url(database_url, "DATABASE_URL")
    if unreadable:
        raise ConfigurationError(f"{unreadable}.")
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        engine = create_engine(
            url,
            connect_args={"timeout": 30, "check_same_thread": False},
            poolclass=NullPool,
        )
        _configure_sqlite(engine)
        return engine
    if url.get_backend_name() == "postgresql":
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        try:
            engine = create_engine(url, pool_pre_ping=True, connect_args=connect_limits(url))
        except ModuleNotFoundError as exc:
            raise _missing_driver(url.drivername, exc) from None
        configure_postgres(engine)
        return engine
    raise ConfigurationError(
        f"DATABASE_URL uses {url.get_backend_name()!r}; hearings supports sqlite and postgresql."
    )


def _missing_driver(drivername: str, exc: ModuleNotFoundError) -> ConfigurationError:
    """The sentence for a PostgreSQL URL whose driver is not installed."""
    if (exc.name or "").partition(".")[0] == "psycopg":
        return ConfigurationError(
            "DATABASE_URL names a PostgreSQL database, but its driver (psycopg) is not installed: "
            "install it with `pip install 'hearings[postgres]'`."
        )
    return ConfigurationError(
        f"DATABASE_URL uses the driver {drivername!r}, which is not installed ({exc.name}); "
        "use postgresql+psycopg:// after `pip install 'hearings[postgres]'`."
    )


def _configure_sqlite(engine: Engine) -> None:
    # pysqlite's own transaction handling defers BEGIN until the first write, which would let a
    # batch's reads and writes see different snapshots; take over BEGIN ourselves.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        mode = cursor.execute("PRAGMA journal_mode").fetchone()
        if mode and str(mode[0]).lower() not in ("wal", "memory"):
            # Busy means another process is creating the file; it sets WAL itself.
            with contextlib.suppress(sqlite3.OperationalError):
                cursor.execute("PRAGMA journal_mode=WAL")
        # NORMAL is durable against process crashes (kill -9) in WAL mode; only an OS crash can
        # lose the last commits, never consistency.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        immediate = connection.get_execution_options().get(_BEGIN_IMMEDIATE)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def database_label(engine_or_url: Engine | str, *, absolute: bool = False) -> str:
    """How messages name a database: the file of a SQLite database (`absolute`: resolved), else
    the URL without its password."""
    url = engine_or_url if isinstance(engine_or_url, str) else _plain_url(engine_or_url)
    path = sqlite_file(url)
    if path is not None:
        return str(path.resolve() if absolute else path)
    return shown_database_url(url)


def _plain_url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)
